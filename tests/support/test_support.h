#pragma once
// Paths and helpers shared by the test suites. Environment variables are set by ctest
// (tests/CMakeLists.txt); running a test binary by hand falls back to the defaults.
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace faceage::testing {

std::string data_dir();        // ../shared/data: real labelled faces
std::string reference_dir();   // PyTorch reference outputs written by reference_*.py
std::string source_dir();      // the repository root
std::string binary_dir();      // the build folder
std::string cli_path();        // the built `faceage` command
std::string temp_dir(const std::string& name);  // a fresh, empty folder, removed at exit

// `count` distinct 64x64 noise "faces" in dir/faces with ages 5, 8, 11, ..., listed in
// dir/rows.csv (photo,age): a dataset for training runs that only test mechanics.
// Returns the CSV's path.
std::string write_noise_face_dataset(const std::string& dir, int count);

// max |a - b| <= tolerance * max(|b|, 1e-12): relative to the reference's scale.
::testing::AssertionResult tensors_close(const torch::Tensor& actual,
                                         const torch::Tensor& expected,
                                         double relative_tolerance);

}  // namespace faceage::testing
