// bench_detect: MTCNN detection time per image at 448x448 (FairFace photos as they are)
// and 1280x720 (the same photos letterboxed to HD), one image per call and batched.
//
//   build/bin/bench_detect [--data DIR] [--count N] [--batch B] [--threads T] [--json]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "faceage/core/compute_threads.h"
#include "faceage/core/memory_reuse.h"
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "faceage/face/detector.h"
#include "faceage/io/image.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::vector<std::string> jpegs_in(const std::string& folder, size_t count) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().extension() == ".jpg") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  if (paths.size() > count) paths.resize(count);
  return paths;
}

// The photo scaled to the frame's height and centred on a grey HD frame.
cv::Mat letterbox(const cv::Mat& image, cv::Size frame) {
  cv::Mat out(frame, CV_8UC3, cv::Scalar::all(114));
  const double scale = std::min(static_cast<double>(frame.width) / image.cols,
                                static_cast<double>(frame.height) / image.rows);
  cv::Mat resized;
  cv::resize(image, resized, cv::Size(), scale, scale, cv::INTER_LINEAR);
  resized.copyTo(out(cv::Rect((frame.width - resized.cols) / 2, (frame.height - resized.rows) / 2,
                              resized.cols, resized.rows)));
  return out;
}

// $FACEAGE_DATA_DIR/fairface, else ../shared/data/fairface beside this source tree.
std::string default_data() {
  if (const char* env = std::getenv("FACEAGE_DATA_DIR"); env && *env)
    return (fs::path(env) / "fairface").string();
  return (fs::path(__FILE__).parent_path() / ".." / ".." / "shared" / "data" / "fairface")
      .lexically_normal()
      .string();
}

// CPU time of the whole process: on a machine shared with other work it says what the
// wall time would be on a quiet one (for one thread).
double cpu_ms() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec * 1e-6;
}

struct Result {
  std::string name;
  double ms_per_image;
  double cpu_ms_per_image;
  double faces_per_image;
};

// Median over rounds of the time per image; one warm-up round first.
Result measure(const std::string& name, const faceage::FaceDetector& detector,
               const std::vector<cv::Mat>& images, size_t batch, int rounds) {
  std::vector<double> per_image, cpu_per_image;
  size_t faces = 0;
  for (int round = -1; round < rounds; ++round) {
    faces = 0;
    const auto start = Clock::now();
    const double cpu_start = cpu_ms();
    for (size_t i = 0; i < images.size(); i += batch) {
      if (batch == 1) {
        faces += detector.detect(images[i]).size();
      } else {
        const std::vector<cv::Mat> chunk(images.begin() + i,
                                         images.begin() + std::min(images.size(), i + batch));
        for (const auto& found : detector.detect(chunk)) faces += found.size();
      }
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const double cpu = cpu_ms() - cpu_start;
    if (round >= 0) {
      per_image.push_back(ms / images.size());
      cpu_per_image.push_back(cpu / images.size());
    }
  }
  std::sort(per_image.begin(), per_image.end());
  std::sort(cpu_per_image.begin(), cpu_per_image.end());
  return {name, per_image[per_image.size() / 2], cpu_per_image[cpu_per_image.size() / 2],
          static_cast<double>(faces) / images.size()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"MTCNN detection time per image"};
  std::string data = default_data();
  std::string weights;
  size_t count = 32, batch = 8;
  int threads = 0, rounds = 3;
  bool as_json = false, libtorch_networks = false;
  app.add_option("--data", data, "Folder of JPEG photos (default: ../shared/data/fairface)");
  app.add_option("--weights", weights, "MTCNN weights (default: find_mtcnn_weights)");
  app.add_option("--count", count, "Photos to time");
  app.add_option("--batch", batch, "Images per call in the batched runs");
  app.add_option("--rounds", rounds, "Timed rounds (the median is reported)");
  app.add_option("--threads", threads,
                 "LibTorch intra-op threads (0 = every logical CPU, as faceage runs)");
  bool opencv_resize = false;
  app.add_flag("--opencv-resize", opencv_resize,
               "Resize MTCNN's pyramid and crops with cv::resize (the old path), not area_resize.h");
  app.add_flag("--libtorch-networks", libtorch_networks,
               "Run LibTorch's MTCNN modules instead of the fused oneDNN chains");
  app.add_flag("--json", as_json, "Print JSON");
  CLI11_PARSE(app, argc, argv);
  faceage::use_compute_threads(threads);  // as the faceage command runs
  faceage::keep_freed_memory_for_reuse();  // as the faceage command runs

  try {
    faceage::DetectorOptions options;
    options.fused_networks = !libtorch_networks;
    options.separable_resize = !opencv_resize;
    const faceage::FaceDetector detector(weights, options);
    std::vector<cv::Mat> photos, hd;
    for (const std::string& path : jpegs_in(data, count))
      photos.push_back(faceage::read_image(path));
    if (photos.empty()) {
      std::cerr << "bench_detect: no .jpg photos in " << data << "\n";
      return 1;
    }
    for (const cv::Mat& photo : photos) hd.push_back(letterbox(photo, cv::Size(1280, 720)));

    const std::string size = fmt::format("{}x{}", photos[0].cols, photos[0].rows);
    std::vector<Result> results = {
        measure(size + " single", detector, photos, 1, rounds),
        measure(fmt::format("{} batch {}", size, batch), detector, photos, batch, rounds),
        measure("1280x720 single", detector, hd, 1, rounds),
        measure(fmt::format("1280x720 batch {}", batch), detector, hd, batch, rounds),
    };
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const Result& r : results)
        out.push_back({{"case", r.name},
                       {"ms_per_image", r.ms_per_image},
                       {"cpu_ms_per_image", r.cpu_ms_per_image},
                       {"faces_per_image", r.faces_per_image},
                       {"images", photos.size()},
                       {"threads", torch::get_num_threads()}});
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << fmt::format("{} photos from {}, {} LibTorch threads, median of {} rounds\n",
                               photos.size(), data, torch::get_num_threads(), rounds);
      for (const Result& r : results)
        std::cout << fmt::format(
            "{:<22} {:8.1f} ms/image wall {:8.1f} ms/image CPU  {:5.2f} faces/image\n", r.name,
            r.ms_per_image, r.cpu_ms_per_image, r.faces_per_image);
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_detect: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
