#pragma once
// Shared by the face tests: the MTCNN weights (a missing file fails the test with the
// command that makes it, never skips), one detector for the whole test program, and the
// FairFace sample.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "faceage/face/detector.h"
#include "faceage/face/mtcnn_nets.h"
#include "test_support.h"

namespace faceage::testing {

// The weights file, or "" after recording a failure that says how to make it.
inline std::string mtcnn_weights_or_fail() {
  try {
    return find_mtcnn_weights();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return "";
  }
}

// Loaded once: every face test uses the same detector (loading is cheap, but this keeps
// the test time on detection).
inline const FaceDetector* shared_detector() {
  static std::unique_ptr<FaceDetector> detector = [] {
    // One LibTorch thread, whatever OMP_NUM_THREADS says: MTCNN runs many small operators,
    // and on a 2-core machine shared with other work, two OpenMP threads made the face
    // tests 3-4 times slower (a thread waits at every barrier for a busy core).
    torch::set_num_threads(1);
    std::unique_ptr<FaceDetector> made;
    try {
      made = std::make_unique<FaceDetector>(find_mtcnn_weights());
    } catch (const std::exception&) {
    }
    return made;
  }();
  if (!detector) mtcnn_weights_or_fail();
  return detector.get();
}

struct FairfacePhoto {
  std::string path;
  std::string age_range;
};

inline std::vector<FairfacePhoto> fairface_photos() {
  const std::filesystem::path folder = std::filesystem::path(data_dir()) / "fairface";
  std::ifstream in(folder / "labels.json");
  std::vector<FairfacePhoto> photos;
  if (!in) {
    ADD_FAILURE() << "cannot read " << (folder / "labels.json").string();
    return photos;
  }
  for (const auto& entry : nlohmann::json::parse(in))
    photos.push_back({(folder / entry.at("filename").get<std::string>()).string(),
                      entry.at("age").get<std::string>()});
  return photos;
}

}  // namespace faceage::testing
