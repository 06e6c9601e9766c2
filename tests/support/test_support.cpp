#include "test_support.h"

#include <cstdlib>
#include <unistd.h>

#include <filesystem>

namespace faceage::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
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

}  // namespace faceage::testing
