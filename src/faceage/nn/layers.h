#pragma once
// Small building blocks shared by the backbones.
#include <torch/torch.h>

#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::nn {

inline torch::nn::Conv2d conv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                                int64_t padding = 0, int64_t groups = 1, bool bias = false) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                               .stride(stride)
                               .padding(padding)
                               .groups(groups)
                               .bias(bias));
}

inline SyncableBatchNorm2d batch_norm(int64_t channels) {
  return SyncableBatchNorm2d(channels);
}

// A convolution's padding in pixels (every backbone convolution gives numbers, not
// "same" or "valid").
torch::ExpandingArray<2> explicit_padding(const torch::nn::detail::ConvNdOptions<2>& options);

// x as an ordinary strided tensor: oneDNN-layout activations (inference_plan.h) leave
// that layout where the network pools them, since the heads and gates are tiny.
inline torch::Tensor dense(const torch::Tensor& x) { return x.is_mkldnn() ? x.to_dense() : x; }

// Kaiming-normal (fan_out) convolutions and unit batch norms, as torchvision initialises.
void init_like_torchvision(torch::nn::Module& module);

}  // namespace faceage::nn
