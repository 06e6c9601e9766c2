#include "faceage/learn/fused_adam.h"

#include <cmath>

#include <ATen/Parallel.h>

#include "faceage/learn/adam_update.h"
#include "faceage/learn/optimizer_state_key.h"

namespace faceage {
namespace {

// Whether element i of both sits at the same offset. Strides of dimensions of size 1 do
// not matter: a channels-last 1x1 convolution's weight and its gradient may differ there.
bool same_layout(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.sizes() != b.sizes()) return false;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (a.size(d) > 1 && a.stride(d) != b.stride(d)) return false;
  return true;
}

// `tensor` (a gradient, or a moment loaded from a checkpoint, which is contiguous) laid
// out as its parameter, copied only where it is not.
torch::Tensor laid_out_as(const torch::Tensor& tensor, const torch::Tensor& parameter) {
  if (same_layout(tensor, parameter) && tensor.scalar_type() == torch::kFloat32) return tensor;
  return torch::empty_like(parameter).copy_(tensor);
}

}  // namespace

// The update runs over raw memory, element i of each tensor at the same offset: a dense
// float32 CPU parameter (contiguous or channels-last, as the trainer keeps convolution
// weights on the CPU), its gradient and moments laid out as it is.
bool FusedAdam::fuses(const torch::Tensor& parameter) {
  const torch::Tensor& grad = parameter.grad();
  return parameter.device().is_cpu() && parameter.scalar_type() == torch::kFloat32 &&
         parameter.is_non_overlapping_and_dense() && grad.defined() &&
         grad.layout() == torch::kStrided && grad.device().is_cpu() &&
         grad.sizes() == parameter.sizes();
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  bool all_fusable = true;
  for (const auto& group : param_groups_) {
    if (static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad())
      all_fusable = false;
    for (const auto& parameter : group.params())
      if (parameter.grad().defined() && !fuses(parameter)) all_fusable = false;
  }
  if (!all_fusable) return torch::optim::Adam::step(std::move(closure));

  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const auto [beta1, beta2] = options.betas();
    for (auto& parameter : group.params()) {
      if (!parameter.grad().defined()) continue;
      auto& slot = state_[optimizer_state_key(state_, parameter)];
      if (!slot) {
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*slot);
      state.exp_avg(laid_out_as(state.exp_avg(), parameter));
      state.exp_avg_sq(laid_out_as(state.exp_avg_sq(), parameter));
      state.step(state.step() + 1);
      const double bias_correction1 = 1.0 - std::pow(beta1, state.step());
      const double bias_correction2 = 1.0 - std::pow(beta2, state.step());
      const AdamStepConstants constants{
          static_cast<float>(beta1),
          static_cast<float>(1.0 - beta1),
          static_cast<float>(beta2),
          static_cast<float>(1.0 - beta2),
          static_cast<float>(options.weight_decay()),
          static_cast<float>(options.eps()),
          static_cast<float>(options.lr() / bias_correction1),
          static_cast<float>(std::sqrt(bias_correction2))};
      const torch::Tensor grad = laid_out_as(parameter.grad(), parameter);
      float* p = parameter.data_ptr<float>();
      const float* g = grad.data_ptr<float>();
      float* m = state.exp_avg().data_ptr<float>();
      float* v = state.exp_avg_sq().data_ptr<float>();
      at::parallel_for(0, parameter.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
        adam_update(p, g, m, v, begin, end, constants);
      });
    }
  }
  return loss;
}

}  // namespace faceage
