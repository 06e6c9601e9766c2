#pragma once
// The number format a network computes in when it only has to predict.
//   float32:  as trained; the reference the others are checked against.
//   bfloat16: activations and weights rounded to bfloat16, sums in float32 (AVX512-BF16's
//             dot products; LibTorch's layouts and the oneDNN chain).
//   int8:     8-bit activations with a calibrated scale per tensor and 8-bit weights with
//             a scale per output channel, sums in int32 (AVX-512 VNNI; the oneDNN chain
//             only, nn/onednn_trunk.h).
// Both reduced formats move predictions a little: a model file says which were checked
// against float32 (learn/precision_check.h).
#include <torch/torch.h>

#include "faceage/core/error.h"

namespace faceage {

enum class Precision { kFloat32, kBFloat16, kInt8 };

// "float32", "bfloat16", "int8".
inline const char* name_of(Precision precision) {
  switch (precision) {
    case Precision::kBFloat16: return "bfloat16";
    case Precision::kInt8: return "int8";
    case Precision::kFloat32: break;
  }
  return "float32";
}

// The LibTorch tensor type of float32 and bfloat16; int8 has none (its tensors live inside
// the oneDNN chain).
inline torch::ScalarType tensor_type(Precision precision) {
  switch (precision) {
    case Precision::kFloat32: return torch::kFloat;
    case Precision::kBFloat16: return torch::kBFloat16;
    case Precision::kInt8: break;
  }
  fail("int8 runs on the oneDNN chain only and has no LibTorch tensor type");
}

}  // namespace faceage
