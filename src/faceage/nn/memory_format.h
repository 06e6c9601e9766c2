#pragma once
// Channels-last (NHWC) training: oneDNN convolves NHWC activations without reordering
// them on every call, which NCHW costs (docs/performance.md). Values, names and files
// stay exactly as in NCHW; only the strides change.
#include <torch/torch.h>

namespace faceage::nn {

// Gives every 4-D parameter (the convolution weights) channels-last strides, in place,
// so that their gradients and optimiser state follow.
void use_channels_last(torch::nn::Module& module);

// A batch of images [N, C, H, W] with channels-last strides.
inline torch::Tensor channels_last(const torch::Tensor& images) {
  return images.contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace faceage::nn
