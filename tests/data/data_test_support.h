#pragma once
// Shared by the data tests: the real UTKFace folder and small files written on the fly.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/data/sample.h"
#include "test_support.h"

namespace faceage::testing {

inline std::string utkface_dir() { return data_dir() + "/utkface"; }

inline std::string utkface_image(const std::string& name) { return utkface_dir() + "/" + name; }

inline std::string write_text_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The message of the faceage::Error `action` throws; "" (and a test failure) if none.
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a faceage::Error";
  return "";
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace faceage::testing
