// Throughput of each backbone in LibTorch C++: forward (eval, no grad) and one training
// step (forward, LDL loss, backward, Adam) in images/s, the median of timed iterations
// after warm-up. Also images per CPU-second (the process's CPU time), which other work on
// a shared machine disturbs far less than wall time. bench/bench_backbones.py measures the
// same in PyTorch eager; the two tables line up row by row (docs/performance.md).
// --export-onnx DIR also writes each row's network, as measured, as DIR/BACKBONE-SIZE.onnx
// (faceage export's ONNX graph), for bench/bench_onnxruntime.py to time in ONNX Runtime.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "faceage/core/compute_threads.h"
#include "faceage/core/memory_reuse.h"
#include "faceage/learn/fused_adam.h"
#include "faceage/learn/losses.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"
#include "faceage/nn/inference_plan.h"
#include "faceage/nn/memory_format.h"
#ifdef FACEAGE_WITH_ONNX
#include "faceage/onnx/onnx_export.h"
#endif

namespace {

struct Settings {
  std::vector<std::string> backbones = faceage::architectures();
  std::vector<int64_t> sizes = {224, 112};
  std::vector<std::string> modes = {"forward", "train"};
  int64_t batch = 16;
  int iterations = 3;
  int warmup = 1;
  int threads = 2;
  std::string inference = "auto", precision = "float32";  // forward: nn/inference_plan.h
  std::string memory_format = "channels-last";             // train: or "contiguous"
  std::string optimizer = "fused";  // train: faceage's FusedAdam, or LibTorch's "libtorch" Adam
  bool json = false;
  std::string export_onnx;  // a folder: each row's network as BACKBONE-SIZE.onnx
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

struct Throughput {
  double images_per_second = 0;      // wall clock
  double images_per_cpu_second = 0;  // process CPU time, all threads
};

// Median seconds per call of `step` over `iterations` after `warmup` untimed calls (the
// first calls pick convolution algorithms and allocate optimiser state), as images/s.
template <typename Step>
Throughput time_step(const Settings& settings, int64_t images, Step step) {
  for (int i = 0; i < settings.warmup; ++i) step();
  std::vector<double> wall, cpu;
  for (int i = 0; i < settings.iterations; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    step();
    cpu.push_back(double(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    wall.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {images / median(wall), images / median(cpu)};
}

// Through forward_for_inference, as eval and predict run it: the input conversion the
// plan needs is part of the time.
// int8 rows calibrate on the row's own (random) images: right for timing, not accuracy.
Throughput forward_throughput(faceage::AgeNet& net, const torch::Tensor& images,
                              const Settings& settings) {
  faceage::PrecisionCalibration calibration;
  if (settings.precision == "int8") {
    faceage::Int8Calibrator calibrator(net);
    calibrator.observe(images);
    calibration.int8_ranges = calibrator.ranges();
  }
  faceage::optimize_for_inference(
      net, faceage::inference_plan_from_names(settings.inference, settings.precision,
                                              net.options().architecture, torch::kCPU,
                                              images.size(0), calibration));
  torch::NoGradGuard no_grad;
  return time_step(settings, images.size(0),
                   [&] { faceage::forward_for_inference(net, images, false); });
}

// LDL as the paper trains (σ = 2, λ = 1, §3.2); Adam at a fine-tuning learning rate, as
// the trainer runs it (learn/fused_adam.h) or as LibTorch's torch::optim::Adam.
Throughput train_throughput(faceage::AgeNet& net, const torch::Tensor& images,
                            const Settings& settings) {
  net.train();
  const bool channels_last = settings.memory_format == "channels-last";
  if (channels_last) faceage::nn::use_channels_last(net);
  const torch::Tensor input = channels_last ? faceage::nn::channels_last(images) : images;
  const auto adam_options = torch::optim::AdamOptions(1e-4).weight_decay(1e-4);
  std::unique_ptr<torch::optim::Optimizer> optimizer =
      settings.optimizer == "fused"
          ? std::make_unique<faceage::FusedAdam>(net.parameters(), adam_options)
          : std::make_unique<torch::optim::Adam>(net.parameters(), adam_options);
  const torch::Tensor ages = torch::randint(0, 101, {images.size(0)}, torch::kFloat);
  return time_step(settings, images.size(0), [&] {
           optimizer->zero_grad();
           const faceage::AgeNetOutput output = net.forward(input);
           faceage::ldl_loss(output.age_logits, ages, 2.0, 1.0).total.backward();
           optimizer->step();
         });
}

// The network as faceage export --onnx writes it (random weights; the age head only).
void export_onnx(const std::shared_ptr<faceage::AgeNet>& net, int64_t size,
                 const std::string& path) {
#ifdef FACEAGE_WITH_ONNX
  faceage::LoadedModel model;
  model.network = net;
  model.spec.network = net->options();
  model.spec.preprocessing.input_size = static_cast<int>(size);
  net->eval();
  faceage::onnx_export::export_onnx(model, net->options().architecture, path);
#else
  (void)net, (void)size;
  throw std::runtime_error(path + ": this build has no ONNX export (libonnx-dev was missing)");
#endif
}

std::string cell(double value) { return value > 0 ? fmt::format("{:.2f}", value) : "-"; }

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  CLI::App app{"Images/s of each backbone: forward (eval) and training step (Adam, LDL)"};
  app.add_option("--backbones", settings.backbones, "Architectures to measure")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--sizes", settings.sizes, "Square input sizes in pixels")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--modes", settings.modes, "forward, train or both")
      ->delimiter(',')
      ->check(CLI::IsMember({"forward", "train"}))
      ->capture_default_str();
  app.add_option("--batch", settings.batch, "Images per call")->capture_default_str();
  app.add_option("--iterations", settings.iterations, "Timed calls (median)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", settings.warmup, "Untimed calls first")->capture_default_str();
  app.add_option("--threads", settings.threads,
                 "LibTorch intra-op threads (faceage::use_compute_threads)")
      ->capture_default_str();
  app.add_option("--inference", settings.inference, "Forward's layout (nn/inference_plan.h)")
      ->check(CLI::IsMember(faceage::inference_layout_names()))
      ->capture_default_str();
  // A row measures one named precision: not "auto", which depends on a model's calibration.
  std::vector<std::string> precisions = faceage::inference_precision_names();
  precisions.erase(std::find(precisions.begin(), precisions.end(), "auto"));
  app.add_option("--precision", settings.precision, "Forward's number format")
      ->check(CLI::IsMember(precisions))
      ->capture_default_str();
  app.add_option("--memory-format", settings.memory_format, "Train: channels-last or contiguous")
      ->check(CLI::IsMember({"channels-last", "contiguous"}))
      ->capture_default_str();
  app.add_option("--optimizer", settings.optimizer,
                 "Train: fused (faceage's FusedAdam, as the trainer) or libtorch (torch::optim::Adam)")
      ->check(CLI::IsMember({"fused", "libtorch"}))
      ->capture_default_str();
  app.add_flag("--json", settings.json, "Print one JSON object per row instead of a table");
  app.add_option("--export-onnx", settings.export_onnx,
                 "Also write each row's network (as measured) to DIR/BACKBONE-SIZE.onnx");
  CLI11_PARSE(app, argc, argv);

  faceage::use_compute_threads(settings.threads);  // as the faceage command runs
  // As the faceage command runs; FACEAGE_KEEP_FREED_MEMORY=0 measures without.
  const bool memory_reuse = faceage::keep_freed_memory_for_reuse();
  torch::manual_seed(0);
  const auto wants = [&](const std::string& mode) {
    return std::find(settings.modes.begin(), settings.modes.end(), mode) != settings.modes.end();
  };
  if (!settings.json) {
    std::cout << fmt::format("LibTorch C++ {}, {} threads, batch {}, median of {} after {} "
                             "warm-up, freed memory reused: {}\n\n",
                             TORCH_VERSION, settings.threads, settings.batch,
                             settings.iterations, settings.warmup, memory_reuse)
              << "| backbone | px | forward img/s | train img/s | forward img/CPU-s | "
                 "train img/CPU-s |\n|---|---:|---:|---:|---:|---:|\n";
  }
  try {
    for (const std::string& backbone : settings.backbones) {
      for (const int64_t size : settings.sizes) {
        faceage::AgeNetOptions options;
        options.architecture = backbone;
        const torch::Tensor images = torch::randn({settings.batch, 3, size, size});
        // A network each: optimising one for inference makes it untrainable.
        const std::shared_ptr<faceage::AgeNet> forward_net = faceage::make_age_net(options);
        if (!settings.export_onnx.empty())
          export_onnx(forward_net, size, fmt::format("{}/{}-{}.onnx", settings.export_onnx,
                                                     backbone, size));
        const Throughput forward =
            wants("forward") ? forward_throughput(*forward_net, images, settings) : Throughput{};
        const Throughput train =
            wants("train") ? train_throughput(*faceage::make_age_net(options), images, settings)
                           : Throughput{};
        // Achieved GFLOP/s of the forward pass where it ran on the oneDNN trunk (2 FLOPs
        // per multiply-add; 0 otherwise), to hold against bench_gemm_peak.
        const double forward_gflops =
            wants("forward") ? 2 * faceage::trunk_multiply_adds(*forward_net, size, size) *
                                   forward.images_per_second / 1e9
                             : 0.0;
        if (settings.json)
          std::cout << nlohmann::json{{"implementation", "libtorch"}, {"backbone", backbone},
                                      {"size", size}, {"batch", settings.batch},
                                      {"inference", settings.inference},
                                      {"precision", settings.precision},
                                      {"memory_format", settings.memory_format},
                                      {"optimizer", settings.optimizer},
                                      {"memory_reuse", memory_reuse},
                                      {"forward_images_per_second", forward.images_per_second},
                                      {"forward_gflops", forward_gflops},
                                      {"train_images_per_second", train.images_per_second},
                                      {"forward_images_per_cpu_second",
                                       forward.images_per_cpu_second},
                                      {"train_images_per_cpu_second",
                                       train.images_per_cpu_second}}
                           .dump()
                    << std::endl;
        else
          std::cout << fmt::format("| {} | {} | {} | {} | {} | {} |", backbone, size,
                                   cell(forward.images_per_second),
                                   cell(train.images_per_second),
                                   cell(forward.images_per_cpu_second),
                                   cell(train.images_per_cpu_second))
                    << std::endl;
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_backbones: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
