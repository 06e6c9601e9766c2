#include "test_support.h"

#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace faceage::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// The folders temp_dir() made, removed when the process that made them exits (ctest runs
// each test as its own process): left behind, the suite's folders had filled the disk
// (0.5 GB per data-parallel run). FACEAGE_KEEP_TEST_DIRS=1 keeps them for a post-mortem.
// A forked child inherits the list but removes nothing: the folders are its parent's.
class TempDirs {
 public:
  void add(const std::filesystem::path& dir) { dirs_.push_back(dir); }
  ~TempDirs() {
    if (::getpid() != owner_ || std::getenv("FACEAGE_KEEP_TEST_DIRS")) return;
    std::error_code ignored;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  }

 private:
  pid_t owner_ = ::getpid();
  std::vector<std::filesystem::path> dirs_;
};

TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

// Defaults are compiled in by tests/CMakeLists.txt.
std::string data_dir() { return env_or("FACEAGE_DATA_DIR", FACEAGE_DATA_DIR); }
std::string reference_dir() { return env_or("FACEAGE_REFERENCE_DIR", FACEAGE_REFERENCE_DIR); }
std::string source_dir() { return env_or("FACEAGE_SOURCE_DIR", FACEAGE_SOURCE_DIR); }
std::string binary_dir() { return env_or("FACEAGE_BINARY_DIR", FACEAGE_BINARY_DIR); }
std::string cli_path() { return env_or("FACEAGE_CLI", FACEAGE_CLI); }

std::string temp_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       ("faceage-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  temp_dirs().add(dir);
  return dir.string();
}

::testing::AssertionResult tensors_close(const torch::Tensor& actual,
                                         const torch::Tensor& expected,
                                         double relative_tolerance) {
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure()
           << "shape " << actual.sizes() << " differs from expected " << expected.sizes();
  const torch::Tensor a = actual.detach().to(torch::kCPU, torch::kDouble);
  const torch::Tensor e = expected.detach().to(torch::kCPU, torch::kDouble);
  const double scale = std::max(e.abs().max().item<double>(), 1e-12);
  const double difference = (a - e).abs().max().item<double>();
  if (difference <= relative_tolerance * scale)
    return ::testing::AssertionSuccess() << "max abs difference " << difference;
  return ::testing::AssertionFailure() << "max abs difference " << difference << " exceeds "
                                       << relative_tolerance << " x max|expected| "
                                       << scale;
}

std::string write_noise_face_dataset(const std::string& dir, int count) {
  cv::RNG rng(11);
  std::filesystem::create_directories(dir + "/faces");
  std::ofstream csv(dir + "/rows.csv");
  csv << "photo,age\n";
  for (int i = 0; i < count; ++i) {
    cv::Mat image(64, 64, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    const std::string name = "faces/" + std::to_string(i) + ".png";
    cv::imwrite(dir + "/" + name, image);
    csv << name << "," << 5 + 3 * i << "\n";
  }
  return dir + "/rows.csv";
}

}  // namespace faceage::testing
