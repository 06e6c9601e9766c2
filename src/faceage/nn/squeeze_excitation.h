#pragma once
// Squeeze-and-Excitation (paper §3.3, Hu et al.) with timm's SEModule names
// (fc1, fc2: 1x1 convolutions with bias) so timm's seresnext50_32x4d weights load by name.
#include <torch/torch.h>

#include "faceage/nn/onednn_trunk.h"

namespace faceage::nn {

class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  // reduced_channels = channels / 16 in SE-ResNeXt (timm rounds to a multiple of 8;
  // every ResNet width divided by 16 already is one).
  SqueezeExcitationImpl(int64_t channels, int64_t reduced_channels);

  // x * sigmoid(fc2(relu(fc1(mean over H, W of x)))): a per-channel gate in (0, 1).
  torch::Tensor forward(const torch::Tensor& x);

  // The gate's weights as the oneDNN trunk takes them.
  TrunkGate trunk_gate() const;

 private:
  torch::nn::Conv2d fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

}  // namespace faceage::nn
