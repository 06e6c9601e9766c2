#include "faceage/nn/layers.h"

namespace faceage::nn {

torch::ExpandingArray<2> explicit_padding(const torch::nn::detail::ConvNdOptions<2>& options) {
  using std::get;  // with ADL, also c10::get where LibTorch's variant is c10's own
  return get<torch::ExpandingArray<2>>(options.padding());
}

void init_like_torchvision(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (auto* conv = child->as<torch::nn::Conv2dImpl>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      if (conv->bias.defined()) torch::nn::init::zeros_(conv->bias);
    } else if (auto* bn = child->as<SyncableBatchNorm2dImpl>()) {
      torch::nn::init::ones_(bn->weight);
      torch::nn::init::zeros_(bn->bias);
    }
  }
}

}  // namespace faceage::nn
