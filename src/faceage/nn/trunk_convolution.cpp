#include "faceage/nn/trunk_convolution.h"

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"

namespace faceage::nn {

TrunkConvolution trunk_convolution(const torch::nn::Conv2d& conv, const SyncableBatchNorm2d& bn) {
  if (!bn->folded()) fail("the oneDNN trunk needs the batch norms folded into the convolutions");
  return {conv->weight, conv->bias, (*conv->options.stride())[0],
          (*explicit_padding(conv->options))[0], conv->options.groups()};
}

}  // namespace faceage::nn
