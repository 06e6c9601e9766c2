// bench_predict: end-to-end prediction throughput on a folder of real photos: decode,
// detect, align, crop and the age model, one photo per call and batched, with the share
// of time per stage.
//
//   build/bin/bench_predict [--model M] [--data DIR] [--count N] [--batch B] [--threads T]
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "faceage/core/memory_reuse.h"
#include "faceage/infer/media_inputs.h"
#include "faceage/infer/predictor.h"
#include "faceage/io/image.h"
#include "faceage/nn/inference_plan.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Run {
  double seconds = 0, decode = 0;
  faceage::PredictTimings stages;
};

Run run(const faceage::AgePredictor& predictor, const std::vector<std::string>& paths, size_t batch) {
  Run r;
  const Clock::time_point start = Clock::now();
  for (size_t first = 0; first < paths.size(); first += batch) {
    const Clock::time_point decode_start = Clock::now();
    std::vector<cv::Mat> images;
    for (size_t i = first; i < std::min(paths.size(), first + batch); ++i)
      images.push_back(faceage::read_image(paths[i]));
    r.decode += seconds_since(decode_start);
    predictor.predict(images, &r.stages);
  }
  r.seconds = seconds_since(start);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"End-to-end predict images/s on real photos (decode + detect + align + model)"};
  std::string data = std::string(FACEAGE_BENCH_DATA_DIR) + "/fairface";
  size_t count = 64, batch = 16;
  int repeats = 3;
  faceage::PredictorOptions options;
  app.add_option("--model", options.model_path, "Age model (default: the bundled one)");
  app.add_option("--data", data, "Folder of photos");
  app.add_option("--count", count, "Photos to use");
  app.add_option("--batch", batch, "Photos per call in the batched run");
  app.add_option("--threads", options.threads, "LibTorch threads (0 = every logical CPU)");
  app.add_option("--repeats", repeats, "Runs of each mode (the median is printed)");
  app.add_option("--inference", options.inference, "Age network's layout")
      ->check(CLI::IsMember(faceage::inference_layout_names()));
  app.add_option("--precision", options.precision,
                 "Age network's number format (auto: the model's validated fastest)")
      ->check(CLI::IsMember(faceage::inference_precision_names()));
  app.add_option("--search-window", options.alignment.search_window,
                 "Second detection: face sizes searched around the face (0 = whole photo)");
  std::string second_pass = faceage::second_pass_name(options.alignment.second_pass);
  app.add_option("--second-pass", second_pass, "Alignment's second pass: detect or refine");
  app.add_option("--min-face", options.detection.min_face_size, "Smallest face searched for, pixels");
  bool libtorch_networks = false;
  bool opencv_resize = false;
  app.add_flag("--opencv-resize", opencv_resize,
               "Resize MTCNN's pyramid and crops with cv::resize (the old path), not area_resize.h");
  app.add_flag("--libtorch-networks", libtorch_networks,
               "Detect with LibTorch's MTCNN modules instead of the fused oneDNN chains");
  CLI11_PARSE(app, argc, argv);
  options.detection.fused_networks = !libtorch_networks;
  options.detection.separable_resize = !opencv_resize;

  std::vector<std::string> paths;
  for (const faceage::MediaInput& input : faceage::list_media({data}))
    if (input.kind == faceage::MediaKind::image) paths.push_back(input.path);
  if (paths.size() > count) paths.resize(count);
  options.alignment.second_pass = faceage::second_pass_from_name(second_pass);
  const faceage::AgePredictor predictor(options);
  run(predictor, {paths.front()}, 1);  // warm-up

  std::cout << fmt::format("{} photos from {}, model {} ({} px), inference {}, second pass {}, "
                           "search window {}, smallest face {} px, freed memory reused: {}\n\n",
                           paths.size(), data, predictor.model_path(),
                           predictor.model().preprocessing.input_size, options.inference,
                           faceage::second_pass_name(options.alignment.second_pass),
                           options.alignment.search_window, options.detection.min_face_size,
                           faceage::keep_freed_memory_for_reuse());
  std::cout << "| photos per call | photos/s | faces | decode | detect | align+crop | model |\n"
               "|---:|---:|---:|---:|---:|---:|---:|\n";
  for (size_t b : {size_t{1}, batch}) {
    std::vector<Run> runs;
    for (int i = 0; i < repeats; ++i) runs.push_back(run(predictor, paths, b));
    std::sort(runs.begin(), runs.end(), [](const Run& x, const Run& y) { return x.seconds < y.seconds; });
    const Run& r = runs[runs.size() / 2];
    const auto share = [&](double s) { return fmt::format("{:.0f}%", 100 * s / r.seconds); };
    std::cout << fmt::format("| {} | {:.2f} | {} | {} | {} | {} | {} |\n", b, paths.size() / r.seconds,
                             r.stages.faces, share(r.decode), share(r.stages.detect),
                             share(r.stages.align), share(r.stages.model));
  }
  return 0;
}
