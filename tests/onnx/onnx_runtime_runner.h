#pragma once
// ONNX Runtime (npm onnxruntime-node, installed by scripts/fetch-onnxruntime.sh) run from
// the tests through node and run_onnx_model.mjs: exported models executed by a runtime
// that is not faceage's.
#include <map>
#include <string>

#include <torch/torch.h>

namespace faceage::testing {

// Where the package is: FACEAGE_ONNXRUNTIME_DIR, else third_party/downloads/onnxruntime.
std::string onnx_runtime_prefix();

// Empty when node and the package are there; else one line saying what is missing and
// which script installs it (the parity tests fail with it: CI installs both).
std::string onnx_runtime_missing();

// Every output of the model at `model_path` for `images` ([N, 3, H, W] float), by name.
// Throws std::runtime_error with node's output when the run fails.
std::map<std::string, torch::Tensor> run_onnx_runtime(const std::string& model_path,
                                                      const torch::Tensor& images,
                                                      const std::string& work_dir);

}  // namespace faceage::testing
