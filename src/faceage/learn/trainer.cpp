#include "faceage/learn/trainer.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/learn/evaluation.h"
#include "faceage/learn/optimization.h"
#include "faceage/learn/pretrained.h"
#include "faceage/learn/progress.h"
#include "faceage/learn/report.h"
#include "faceage/nn/weights.h"

namespace faceage {

using json = nlohmann::json;

namespace {

// Ctrl-C / SIGTERM: finish the current batch, keep the last checkpoint, stop.
std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) { stop_requested = true; }

struct StopSignals {
  StopSignals() {
    stop_requested = false;
    previous_int = std::signal(SIGINT, request_stop);
    previous_term = std::signal(SIGTERM, request_stop);
  }
  ~StopSignals() {
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
  }
  void (*previous_int)(int);
  void (*previous_term)(int);
};

LossOptions loss_options(const TrainConfig& config) {
  return {parse_formulation(config.formulation), config.sigma, config.lambda};
}

// The history already written, up to the checkpoint's epoch (later lines, if a crash left
// any, belong to an epoch that will be trained again).
std::vector<json> read_history(const std::string& path, int completed_epochs) {
  std::vector<json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object() && record.value("epoch", -1) < completed_epochs) lines.push_back(record);
  }
  return lines;
}

void write_history(const std::string& path, const std::vector<json>& lines) {
  std::ostringstream text;
  for (const json& line : lines) text << line.dump() << "\n";
  write_text_atomically(path, text.str());
}

}  // namespace

json to_json(const EpochRecord& r) {
  return {{"epoch", r.epoch},
          {"learning_rate", r.learning_rate},
          {"train_loss", r.train_loss},
          {"validation_loss", r.validation_loss},
          {"mae", r.validation.mae},
          {"ca3", r.validation.ca3},
          {"ca5", r.validation.ca5},
          {"ca7", r.validation.ca7},
          {"validation_samples", r.validation.count},
          {"train_images_per_second", r.train_images_per_second},
          {"seconds", r.seconds},
          {"best", r.best}};
}

std::string last_checkpoint_path(const std::string& dir) { return dir + "/last.safetensors"; }
std::string best_checkpoint_path(const std::string& dir) { return dir + "/best.safetensors"; }
std::string metrics_path(const std::string& dir) { return dir + "/metrics.jsonl"; }

Trainer::Trainer(TrainConfig config, ModelSpec spec, BatchSource& train, BatchSource& validation)
    : config_(std::move(config)),
      spec_(std::move(spec)),
      train_(train),
      validation_(validation),
      device_(choose_device(config_.device)) {}

bool Trainer::improves(const AgeMetrics& metrics, const TrainingProgress& progress) const {
  if (progress.best_epoch < 0) return true;
  return config_.best_metric == "ca3" ? metrics.ca3 > progress.best_score
                                      : metrics.mae < progress.best_score;
}

double Trainer::train_one_epoch(int epoch, AgeNet& network, torch::optim::Optimizer& optimizer,
                                double& images_per_second) {
  network.train();
  train_.start_epoch(epoch);
  const LossOptions options = loss_options(config_);
  const size_t planned = config_.max_batches_per_epoch > 0
                             ? std::min<size_t>(train_.batches_per_epoch(),
                                                static_cast<size_t>(config_.max_batches_per_epoch))
                             : train_.batches_per_epoch();
  ProgressBar progress(fmt::format("epoch {}/{}", epoch + 1, config_.epochs),
                       static_cast<int64_t>(planned) * config_.batch_size);
  double loss_sum = 0;
  int64_t batches = 0, images = 0;
  while (static_cast<size_t>(batches) < planned) {
    auto batch = train_.next();
    if (!batch) break;
    optimizer.zero_grad();
    const AgeNetOutput output = network.forward(batch->images.to(device_));
    const LossTerms terms = age_net_loss(output, batch->ages.to(device_), batch->genders,
                                         batch->ethnicities, options);
    terms.total.backward();
    optimizer.step();
    loss_sum += terms.total.item<double>();
    ++batches;
    images += batch->ages.size(0);
    progress.update(images, fmt::format("loss {:.3f}", loss_sum / static_cast<double>(batches)));
    if (stop_requested) break;
  }
  progress.finish();
  images_per_second = progress.items_per_second();
  return batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0;
}

TrainingResult Trainer::run() {
  namespace fs = std::filesystem;
  fs::create_directories(config_.output_dir);
  use_compute_threads(config_.torch_threads);
  StopSignals signals;

  torch::manual_seed(config_.seed);
  std::shared_ptr<AgeNet> network = make_age_net(spec_.network);
  if (!config_.pretrained.empty()) {
    const nn::LoadReport report = load_pretrained(config_.pretrained, *network);
    spdlog::info("pretrained weights {}: {} tensors loaded; {}", config_.pretrained,
                 report.loaded.size(), report.summary());
  }
  network->to(device_);
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(*network, config_);

  TrainingResult result;
  result.last_checkpoint = last_checkpoint_path(config_.output_dir);
  result.best_checkpoint = best_checkpoint_path(config_.output_dir);
  TrainingProgress progress;
  if (fs::exists(result.last_checkpoint)) {
    progress = load_checkpoint(result.last_checkpoint, *network, *optimizer).progress;
    spdlog::info("resuming {} after epoch {} of {}", result.last_checkpoint,
                 progress.completed_epochs, config_.epochs);
  }
  std::vector<json> history = read_history(metrics_path(config_.output_dir), progress.completed_epochs);

  for (int epoch = progress.completed_epochs; epoch < config_.epochs; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    // Re-seeding per epoch makes a resumed run draw the same random numbers as an
    // uninterrupted one (dropout; the loader seeds itself from the epoch too).
    torch::manual_seed(config_.seed * 1000003ull + static_cast<uint64_t>(epoch));
    EpochRecord record;
    record.epoch = epoch;
    record.learning_rate = learning_rate_at(config_, epoch);
    set_learning_rate(*optimizer, record.learning_rate);
    record.train_loss = train_one_epoch(epoch, *network, *optimizer, record.train_images_per_second);
    if (stop_requested) {
      spdlog::warn("interrupted during epoch {}; {} holds epoch {}; rerun the same command to resume",
                   epoch + 1, result.last_checkpoint, progress.completed_epochs);
      result.interrupted = true;
      break;
    }
    const Predictions predictions =
        evaluate(*network, validation_, 0, loss_options(config_), device_);
    record.validation_loss = predictions.mean_loss;
    record.validation = age_metrics(predictions.predicted_age, predictions.true_age);
    record.best = improves(record.validation, progress);
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    progress.completed_epochs = epoch + 1;
    if (record.best) {
      progress.best_epoch = epoch;
      progress.best_score = config_.best_metric == "ca3" ? record.validation.ca3 : record.validation.mae;
    }
    if (record.best) save_checkpoint(result.best_checkpoint, *network, *optimizer, spec_, config_, progress);
    save_checkpoint(result.last_checkpoint, *network, *optimizer, spec_, config_, progress);
    history.push_back(to_json(record));
    write_history(metrics_path(config_.output_dir), history);
    write_training_curves(config_.output_dir + "/curves.png", history);

    spdlog::info("epoch {}/{}: lr {:.2e} train loss {:.4f} val loss {:.4f} MAE {:.3f} CA3 {:.1f} "
                 "CA5 {:.1f} CA7 {:.1f} ({:.1f} img/s){}",
                 epoch + 1, config_.epochs, record.learning_rate, record.train_loss,
                 record.validation_loss, record.validation.mae, record.validation.ca3,
                 record.validation.ca5, record.validation.ca7, record.train_images_per_second,
                 record.best ? " best" : "");
    result.history.push_back(record);
    if (on_epoch_end && !on_epoch_end(record)) break;
  }
  return result;
}

}  // namespace faceage
