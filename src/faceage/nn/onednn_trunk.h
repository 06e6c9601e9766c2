#pragma once
// A ResNet-family trunk (stem, layers of residual blocks, global average pool) run
// as a chain of oneDNN primitives that is built once per input shape. Each ReLU, residual
// add and squeeze-and-excitation multiply is fused into the primitive before it, weights
// are reordered once, and activation buffers are reused along the chain. LibTorch 1.13's
// own oneDNN convolutions set up their primitive on every call and fuse nothing, which
// was a third of SE-ResNeXt-50's time at batch 1 (docs/performance.md).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "faceage/nn/precision.h"

namespace faceage::nn {

// int8 calibration: the largest |value| each activation of the trunk took on calibration
// images, in the order the chain makes them (the input first). The order depends on the
// architecture only, not on the picture size or batch.
using ActivationRanges = std::vector<float>;

// A convolution with its batch norm folded in: weight [out, in / groups, k, k], bias [out].
struct TrunkConvolution {
  torch::Tensor weight, bias;
  int64_t stride = 1, padding = 0, groups = 1;
};

// Squeeze-and-excitation: x * sigmoid(fc2(relu(fc1(mean over the pixels of x)))).
struct TrunkGate {
  torch::Tensor fc1_weight, fc1_bias, fc2_weight, fc2_bias;  // weights [out, in]
};

// relu(last(... relu(first(x))) [* gate] + shortcut(x)). Where the branch's map is
// smaller than the shortcut's (face_resnet29's down blocks on even sizes), it is added
// to the shortcut's top-left corner, as if grown by zeros at the bottom and right.
struct TrunkBlock {
  std::vector<TrunkConvolution> convolutions;  // a ReLU after each but the last
  std::optional<TrunkConvolution> downsample;  // the shortcut; the identity when absent
  std::optional<TrunkGate> gate;
};

struct TrunkDescription {
  TrunkConvolution stem;                        // then a ReLU and a 3x3, stride-2 max pool
  int64_t stem_pool_padding = 1;                // torchvision's; dlib's pool has none
  std::vector<std::vector<TrunkBlock>> layers;  // layers[1]'s output feeds the side heads
};

struct TrunkOutput {
  torch::Tensor pooled;  // [N, C]: the last layer averaged over its pixels
  torch::Tensor middle;  // [N, C1, 1, 1]: layers[1] averaged; undefined unless asked for
};

class OneDnnTrunk {
 public:
  // Whether this build has oneDNN's own API (Debian's libdnnl-dev); without it the
  // constructor throws and choose_inference_plan() never picks the trunk.
  static bool available();

  // Whether this CPU has the instructions that make `precision` faster than float32
  // (oneDNN emulates them otherwise, slower than float32).
  static bool native(Precision precision);

  // int8 needs the ranges a float32 trunk of the same network recorded.
  explicit OneDnnTrunk(TrunkDescription description,
                       Precision precision = Precision::kFloat32,
                       ActivationRanges ranges = {});
  ~OneDnnTrunk();

  Precision precision() const;

  // images: [N, 3, H, W] float on the CPU. Safe to call from several threads (one at a time).
  TrunkOutput run(const torch::Tensor& images, bool with_middle);

  // Multiply-adds per image of an h x w picture, for GFLOP/s figures.
  double multiply_adds(int64_t height, int64_t width);

  // Float32 trunks only: runs `images` and widens `ranges` to the activations they gave.
  void record_ranges(const torch::Tensor& images, ActivationRanges& ranges);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceage::nn
