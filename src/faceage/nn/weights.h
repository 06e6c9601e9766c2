#pragma once
// Weights by name, as PyTorch's state_dict / load_state_dict: every parameter and buffer
// (batch norm running_mean, running_var, num_batches_tracked) under its dotted module path,
// so files written by PyTorch (torchvision, timm, our reference scripts) load into the
// C++ modules and back. Files are safetensors.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "faceage/io/safetensors.h"

namespace faceage::nn {

struct ShapeMismatch {
  std::string key;
  std::vector<int64_t> file_shape, model_shape;
};

// What a load did. A strict load that returns has nothing in missing, unexpected or
// mismatched.
struct LoadReport {
  std::vector<std::string> loaded;      // copied into the module
  std::vector<std::string> missing;     // the module has it, the file not: left as is
  std::vector<std::string> unexpected;  // the file has it, the module not: ignored
  std::vector<ShapeMismatch> mismatched;  // both have it, shapes differ: left as is
  // Batch norm counters the file lacks (older torchvision files predate them); PyTorch
  // accepts those files, so these are not errors: the counter keeps its value.
  std::vector<std::string> defaulted;

  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  // "3 missing (a, b, c); 1 unexpected (d); 1 shape mismatch (e: file [1000, 512], model
  // [101, 512])", at most a few keys per kind; "complete" when nothing is wrong.
  std::string summary() const;
};

// Parameters and buffers with PyTorch's names. The tensors are detached views of the
// module's own storage (as in PyTorch): clone them to keep a snapshot.
TensorMap state_dict(const torch::nn::Module& module);

// Copies every tensor whose name and shape match, converting dtype (e.g. fp16 files into
// fp32 modules) and device. Unless allow_partial, any missing, unexpected or mismatched key
// throws faceage::Error naming `source` and the keys, and the module is left unchanged.
LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& tensors,
                           bool allow_partial, const std::string& source = "state dict");

void save_weights(const std::string& path, const torch::nn::Module& module,
                  const Metadata& metadata = {});

LoadReport load_weights(const std::string& path, torch::nn::Module& module, bool allow_partial);

}  // namespace faceage::nn
