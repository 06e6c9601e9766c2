#pragma once
// Shared by the infer tests: a small untrained model file (prediction plumbing does not
// need a good model, and tests must not depend on the bundled one's accuracy) and the
// FairFace photos.
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "faceage/model/model_file.h"
#include "test_support.h"

namespace faceage::testing {

// A seeded ResNet-18 multitask model at 64 px written to the test's temp folder, trained
// (as far as its record says) on aligned crops with margin 0.2, or with `aligned` false on
// crops used whole; `frame` adds a face frame (as for UTKFace-trained models, so not
// aligned); the same seed gives the same weights.
inline std::string small_model_file(const std::string& name, bool with_frame = false,
                                    bool flip_average = false, bool aligned = true) {
  torch::manual_seed(7);
  ModelSpec spec;
  spec.network.architecture = "resnet18";
  spec.network.multitask = true;
  spec.preprocessing.input_size = 64;
  spec.preprocessing.margin = 0.2;
  spec.preprocessing.align = aligned;
  if (with_frame) {  // a model trained on crops made elsewhere, used whole
    spec.preprocessing.align = false;
    spec.preprocessing.frame = FaceFrame{1.2, 0.95, 0.02, 0.05};
  }
  spec.flip_average = flip_average;
  const std::shared_ptr<AgeNet> network = make_age_net(spec.network);
  network->eval();
  const std::string path = temp_dir(name) + "/model.safetensors";
  save_model(path, *network, spec);
  return path;
}

inline std::string fairface_photo(int number) {
  char name[64];
  std::snprintf(name, sizeof name, "fairface/fairface_%04d.jpg", number);
  return (std::filesystem::path(data_dir()) / name).string();
}

}  // namespace faceage::testing
