#pragma once
// Adam (paper §4) as one pass over each parameter's memory. LibTorch's C++ Adam runs
// about nine elementwise operations a step, each a pass over parameter-sized tensors, and
// allocates three temporaries. For VGG16-BN's 135 million parameters on 2 cores the step
// takes 0.10 s against LibTorch's 0.19 (tensors of its parameters' sizes; 0.7 s before
// the heap has grown). A whole training step is mostly convolutions: 1.03-1.04x faster
// (medians), and VGG16-BN's peak memory 0.43 GB lower (4.12 GB against 4.55;
// bench_backbones --optimizer, docs/performance.md).
//
// The same update as torch::optim::Adam, in the same order, element by element:
//   g  = grad + weight_decay * p
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g * g
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// so results agree to float rounding (the fused pass rounds fewer intermediates). Its
// state is torch::optim::Adam's (AdamParamState), so checkpoints written by either load
// into the other. A step with any parameter that is not a dense float32 CPU tensor (a
// CUDA run), or with AMSGrad, is LibTorch's own, for every parameter.
#include <torch/torch.h>

namespace faceage {

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;

  // Whether a parameter, with its gradient as it stands, can take the fused pass.
  static bool fuses(const torch::Tensor& parameter);
};

}  // namespace faceage
