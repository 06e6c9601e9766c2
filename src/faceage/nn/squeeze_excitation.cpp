#include "faceage/nn/squeeze_excitation.h"

#include "faceage/nn/layers.h"

namespace faceage::nn {

SqueezeExcitationImpl::SqueezeExcitationImpl(int64_t channels, int64_t reduced_channels)
    : fc1_(register_module("fc1", conv2d(channels, reduced_channels, 1, 1, 0, 1, /*bias=*/true))),
      fc2_(register_module("fc2", conv2d(reduced_channels, channels, 1, 1, 0, 1, /*bias=*/true))) {}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor& x) {
  if (x.is_mkldnn()) {
    // oneDNN tensors have no broadcasting multiply: gate a dense copy (inference only).
    const torch::Tensor squeezed = dense(torch::adaptive_avg_pool2d(x, {1, 1}));
    return (x.to_dense() * torch::sigmoid(fc2_(torch::relu(fc1_(squeezed))))).to_mkldnn();
  }
  const torch::Tensor squeezed = x.mean({2, 3}, /*keepdim=*/true);
  return x * torch::sigmoid(fc2_(torch::relu(fc1_(squeezed))));
}

TrunkGate SqueezeExcitationImpl::trunk_gate() const {
  return {fc1_->weight.flatten(1), fc1_->bias, fc2_->weight.flatten(1), fc2_->bias};
}

}  // namespace faceage::nn
