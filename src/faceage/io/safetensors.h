#pragma once
// safetensors: the weight format the PyTorch ecosystem publishes in.
// Layout: u64 little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the raw little-endian tensor bytes. Every field is validated on read.
#include <map>
#include <string>

#include <torch/torch.h>

namespace faceage {

using TensorMap = std::map<std::string, torch::Tensor>;
using Metadata = std::map<std::string, std::string>;

struct SafetensorsContent {
  TensorMap tensors;
  Metadata metadata;
};

// Reads a file; throws faceage::Error naming the file and the defect.
SafetensorsContent read_safetensors(const std::string& path);

// Parses bytes already in memory; `source` names them in error messages.
SafetensorsContent parse_safetensors(const std::string& bytes, const std::string& source);

// Writes atomically (temporary file, then rename). Tensors are stored contiguous, on CPU.
void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const Metadata& metadata = {});

std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata = {});

}  // namespace faceage
