#include "faceage/learn/trainer.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <spdlog/spdlog.h>

#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/parallel/data_parallel.h"
#include "faceage/learn/evaluation.h"
#include "faceage/learn/optimization.h"
#include "faceage/learn/batch_norm_recalibration.h"
#include "faceage/learn/pretrained.h"
#include "faceage/learn/progress.h"
#include "faceage/learn/report.h"
#include "faceage/nn/memory_format.h"
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

// Back to an epoch's boundary: no batches of the next epoch trained, no running totals.
void forget_partial_epoch(TrainingProgress& progress) {
  progress.batches_into_epoch = 0;
  progress.epoch_loss_sum = progress.epoch_loss_weight = progress.epoch_seconds = 0;
  progress.epoch_images = 0;
}

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
  json out = {{"epoch", r.epoch},
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
  if (!r.validation_sets.empty()) {
    json sets = json::object();
    for (const SetMetrics& set : r.validation_sets)
      sets[set.name] = {{"mae", set.metrics.mae},
                        {"ca3", set.metrics.ca3},
                        {"ca5", set.metrics.ca5},
                        {"ca7", set.metrics.ca7},
                        {"validation_samples", set.metrics.count}};
    out["validation_sets"] = std::move(sets);
  }
  return out;
}

std::string last_checkpoint_path(const std::string& dir) { return dir + "/last.safetensors"; }
std::string best_checkpoint_path(const std::string& dir) { return dir + "/best.safetensors"; }
std::string metrics_path(const std::string& dir) { return dir + "/metrics.jsonl"; }

Trainer::Trainer(TrainConfig config, ModelSpec spec, BatchSource& train, BatchSource& validation,
                 Communicator* communicator)
    : config_(std::move(config)),
      spec_(std::move(spec)),
      train_(train),
      validation_(validation),
      communicator_(communicator),
      device_(choose_device(config_.device)),
      channels_last_(config_.memory_format == "channels-last" ||
                     (config_.memory_format == "auto" && device_.is_cpu())) {}

bool Trainer::improves(const AgeMetrics& metrics, const TrainingProgress& progress) const {
  if (progress.best_epoch < 0) return true;
  return config_.best_metric == "ca3" ? metrics.ca3 > progress.best_score
                                      : metrics.mae < progress.best_score;
}

EpochTraining Trainer::train_one_epoch(int epoch, AgeNet& network,
                                       torch::optim::Optimizer& optimizer, DataParallel* parallel,
                                       TrainingProgress& run_progress,
                                       const std::function<void()>& save_mid_epoch) {
  using Clock = std::chrono::steady_clock;
  network.train();
  train_.start_epoch(epoch);
  const LossOptions options = loss_options(config_);
  const size_t planned = config_.max_batches_per_epoch > 0
                             ? std::min<size_t>(train_.batches_per_epoch(),
                                                static_cast<size_t>(config_.max_batches_per_epoch))
                             : train_.batches_per_epoch();
  const int processes = parallel ? parallel->world_size() : 1;
  const uint64_t rank = parallel ? static_cast<uint64_t>(parallel->rank()) : 0;
  // Resuming inside this epoch: its batches are a function of (seed, epoch), so passing
  // over the trained ones puts the loader where the checkpoint left it.
  const size_t first = static_cast<size_t>(run_progress.batches_into_epoch);
  for (size_t skipped = 0; skipped < first && skipped < planned; ++skipped)
    if (!train_.next()) break;
  if (first > 0)
    spdlog::info("resuming epoch {} after {} of its {} batches", epoch + 1, first, planned);
  double loss_sum = run_progress.epoch_loss_sum, loss_weight = run_progress.epoch_loss_weight;
  int64_t images = run_progress.epoch_images;
  const int64_t images_before = images;
  const double seconds_before = run_progress.epoch_seconds;
  std::optional<ProgressBar> progress;
  if (!parallel || parallel->primary())
    progress.emplace(fmt::format("epoch {}/{}", epoch + 1, config_.epochs),
                     static_cast<int64_t>(planned - std::min(first, planned)) *
                         config_.batch_size * processes);
  EpochTraining result;
  const Clock::time_point started = Clock::now();
  Clock::time_point last_saved = started;
  for (size_t step = first; step < planned; ++step) {
    // Dropout draws from a seed of (seed, epoch, step, process): a run resumed at any
    // batch draws what an unbroken one would.
    torch::manual_seed(((config_.seed * 1000003ull + static_cast<uint64_t>(epoch)) * 1000003ull +
                        step) * 7919ull + rank);
    auto batch = train_.next();
    // Every process of a data-parallel run takes every step together, even one whose
    // batch was all bad images; alone, the epoch just ends early.
    if (!batch && !parallel) break;
    optimizer.zero_grad();
    double samples = 0, batch_loss = 0;
    if (batch) {
      const torch::Tensor images = batch->images.to(device_);
      const AgeNetOutput output = network.forward(channels_last_ ? nn::channels_last(images) : images);
      const LossTerms terms = age_net_loss(output, batch->ages.to(device_), batch->genders,
                                           batch->ethnicities, options);
      samples = static_cast<double>(batch->ages.size(0));
      batch_loss = terms.total.item<double>();
      // Data-parallel gradients are averaged per sample over all processes.
      (parallel ? terms.total * samples : terms.total).backward();
    } else if (config_.sync_batchnorm) {
      // Still take part in the batch norms' collectives, with no images.
      const int64_t size = spec_.preprocessing.input_size;
      const AgeNetOutput output = network.forward(torch::zeros({0, 3, size, size}, device_));
      (output.age_logits.sum() * 0).backward();
    }
    if (parallel) {
      const StepTotals totals = parallel->average_gradients(samples, batch_loss * samples,
                                                            stop_requested);
      if (totals.samples > 0) optimizer.step();
      images += static_cast<int64_t>(totals.samples);
      loss_sum += totals.loss_sum;
      loss_weight += totals.samples;
      result.stopped = totals.stop;
    } else {
      optimizer.step();
      images += static_cast<int64_t>(samples);
      loss_sum += batch_loss;
      loss_weight += 1;
      result.stopped = stop_requested;
    }
    result.loss = loss_weight > 0 ? loss_sum / loss_weight : 0.0;
    if (progress) progress->update(images - images_before, fmt::format("loss {:.3f}", result.loss));
    // A mid-epoch checkpoint at a stop, or when one is due (a single process only: a
    // data-parallel run resumes at epoch ends).
    const bool due = config_.checkpoint_minutes > 0 && step + 1 < planned &&
                     std::chrono::duration<double>(Clock::now() - last_saved).count() >=
                         config_.checkpoint_minutes * 60;
    if (!parallel && save_mid_epoch && (result.stopped || due)) {
      run_progress.batches_into_epoch = static_cast<int64_t>(step + 1);
      run_progress.epoch_loss_sum = loss_sum;
      run_progress.epoch_loss_weight = loss_weight;
      run_progress.epoch_images = images;
      run_progress.epoch_seconds =
          seconds_before + std::chrono::duration<double>(Clock::now() - started).count();
      save_mid_epoch();
      last_saved = Clock::now();
    }
    if (result.stopped) break;
  }
  if (progress) {
    progress->finish();
    result.images_per_second = progress->items_per_second();
  }
  result.seconds_before = seconds_before;
  return result;
}

void Trainer::recalibrate_on_training_images(AgeNet& network) {
  // Eight batches of epoch 0 (the epoch restarts when training begins): a few hundred
  // faces give each channel's mean and variance to a percent or so.
  constexpr size_t kBatches = 8;
  train_.start_epoch(0);
  const size_t rewritten = recalibrate_batch_norms(
      network,
      [&]() -> std::optional<torch::Tensor> {
        auto batch = train_.next();
        if (!batch) return std::nullopt;
        const torch::Tensor images = batch->images.to(device_);
        return channels_last_ ? nn::channels_last(images) : images;
      },
      kBatches);
  spdlog::info("batch norms recalibrated on {} training batches: {} rewritten", kBatches, rewritten);
}

TrainingResult Trainer::run() {
  namespace fs = std::filesystem;
  // Rank 0 of a data-parallel run (or the only process) owns the run folder.
  const bool primary = !communicator_ || communicator_->rank() == 0;
  if (primary) fs::create_directories(config_.output_dir);
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
  if (channels_last_) nn::use_channels_last(*network);
  std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(*network, config_);
  std::optional<DataParallel> parallel;
  if (communicator_) parallel.emplace(*communicator_, *network, config_.sync_batchnorm);
  if (primary) {
    // Left by a run killed while writing a checkpoint (the checkpoints themselves are intact).
    for (const std::string& checkpoint : {last_checkpoint_path(config_.output_dir),
                                          best_checkpoint_path(config_.output_dir)})
      if (const size_t removed = remove_abandoned_temporaries(checkpoint))
        spdlog::info("removed {} half-written copies of {} left by a killed run", removed, checkpoint);
  }

  TrainingResult result;
  result.last_checkpoint = last_checkpoint_path(config_.output_dir);
  result.best_checkpoint = best_checkpoint_path(config_.output_dir);
  TrainingProgress progress;
  if (fs::exists(result.last_checkpoint)) {
    progress = load_checkpoint(result.last_checkpoint, *network, *optimizer).progress;
    spdlog::info("resuming {} after epoch {} of {}{}", result.last_checkpoint,
                 progress.completed_epochs, config_.epochs,
                 progress.batches_into_epoch > 0
                     ? fmt::format(" and {} batches of epoch {}", progress.batches_into_epoch,
                                   progress.completed_epochs + 1)
                     : "");
  }
  if (parallel && progress.batches_into_epoch > 0) {
    // Written by a single process; this run's shards split the epoch another way.
    spdlog::warn("{} was written inside epoch {} by a single process; a data-parallel run "
                 "trains that epoch again from its first batch",
                 result.last_checkpoint, progress.completed_epochs + 1);
    forget_partial_epoch(progress);
  }
  if (config_.recalibrate_batch_norm && progress.completed_epochs == 0 &&
      !fs::exists(result.last_checkpoint))
    recalibrate_on_training_images(*network);
  if (parallel) {
    // Every process resumes from the same file (the optimiser state is in it too).
    const int64_t primary_epochs = parallel->broadcast_value(progress.completed_epochs);
    if (primary_epochs != progress.completed_epochs)
      fail("rank {}: {} holds epoch {} here but epoch {} for rank 0: every process must see "
           "the same train.output_dir (shared storage across machines)",
           parallel->rank(), result.last_checkpoint, progress.completed_epochs, primary_epochs);
    parallel->broadcast_weights();
  }
  std::vector<json> history;
  if (primary) history = read_history(metrics_path(config_.output_dir), progress.completed_epochs);

  for (int epoch = progress.completed_epochs; epoch < config_.epochs; ++epoch) {
    const auto started = std::chrono::steady_clock::now();
    EpochRecord record;
    record.epoch = epoch;
    record.learning_rate = learning_rate_at(config_, epoch);
    set_learning_rate(*optimizer, record.learning_rate);
    const auto save_mid_epoch = [&] {
      save_checkpoint(result.last_checkpoint, *network, *optimizer, spec_, config_, progress);
    };
    const EpochTraining trained = train_one_epoch(
        epoch, *network, *optimizer, parallel ? &*parallel : nullptr, progress, save_mid_epoch);
    record.train_loss = trained.loss;
    record.train_images_per_second = trained.images_per_second;
    if (trained.stopped) {
      if (primary)
        spdlog::warn("interrupted during epoch {}; {} holds {}; rerun the same command to resume",
                     epoch + 1, result.last_checkpoint,
                     progress.batches_into_epoch > 0
                         ? fmt::format("epoch {} and {} batches of epoch {}",
                                       progress.completed_epochs, progress.batches_into_epoch,
                                       epoch + 1)
                         : fmt::format("epoch {}", progress.completed_epochs));
      result.interrupted = true;
      break;
    }
    progress.completed_epochs = epoch + 1;
    forget_partial_epoch(progress);  // the epoch is whole: its checkpoint is an epoch's end
    bool keep_going = true;
    if (primary) {
      const Predictions predictions =
          evaluate(*network, validation_, 0, loss_options(config_), device_);
      record.validation_loss = predictions.mean_loss;
      record.validation = age_metrics(predictions.predicted_age, predictions.true_age);
      if (validation_sets.names.size() > 1)
        record.validation_sets = metrics_per_set(predictions, validation_sets);
      record.best = improves(record.validation, progress);
      record.seconds = trained.seconds_before +
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (record.best) {
        progress.best_epoch = epoch;
        progress.best_score = config_.best_metric == "ca3" ? record.validation.ca3 : record.validation.mae;
      }
      if (record.best) save_checkpoint(result.best_checkpoint, *network, *optimizer, spec_, config_, progress);
      save_checkpoint(result.last_checkpoint, *network, *optimizer, spec_, config_, progress);
      history.push_back(to_json(record));
      write_history(metrics_path(config_.output_dir), history);
      write_training_curves(config_.output_dir + "/curves.png", history);

      std::string per_set;  // "; utkface (812) MAE 6.90 CA3 31.0 ..." for each set
      for (const SetMetrics& set : record.validation_sets)
        per_set += fmt::format("; {} ({}) MAE {:.3f} CA3 {:.1f} CA5 {:.1f} CA7 {:.1f}", set.name,
                               set.metrics.count, set.metrics.mae, set.metrics.ca3,
                               set.metrics.ca5, set.metrics.ca7);
      spdlog::info("epoch {}/{}: lr {:.2e} train loss {:.4f} val loss {:.4f} MAE {:.3f} CA3 {:.1f} "
                   "CA5 {:.1f} CA7 {:.1f} ({:.1f} img/s){}{}",
                   epoch + 1, config_.epochs, record.learning_rate, record.train_loss,
                   record.validation_loss, record.validation.mae, record.validation.ca3,
                   record.validation.ca5, record.validation.ca7, record.train_images_per_second,
                   record.best ? " best" : "", per_set);
      keep_going = !on_epoch_end || on_epoch_end(record);
    }
    result.history.push_back(record);
    // The other processes wait here while rank 0 validates and writes the checkpoint.
    if (parallel) keep_going = parallel->broadcast_value(keep_going ? 1 : 0) != 0;
    if (!keep_going) break;
  }
  return result;
}

}  // namespace faceage
