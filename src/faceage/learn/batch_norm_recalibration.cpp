#include "faceage/learn/batch_norm_recalibration.h"

#include <vector>

#include "faceage/parallel/sync_batch_norm.h"

namespace faceage {

size_t recalibrate_batch_norms(AgeNet& network,
                               const std::function<std::optional<torch::Tensor>()>& next_images,
                               size_t max_batches) {
  using nn::SyncableBatchNorm2dImpl;
  std::vector<SyncableBatchNorm2dImpl*> norms;
  for (const auto& module : network.modules())
    if (auto* norm = module->as<SyncableBatchNorm2dImpl>()) norms.push_back(norm);
  network.eval();
  if (norms.empty()) return 0;

  std::vector<SyncableBatchNorm2dImpl::InputStatistics> statistics(norms.size());
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->collect_input_statistics(&statistics[i]);
  size_t batches = 0;
  {
    torch::NoGradGuard no_grad;
    for (; batches < max_batches; ++batches) {
      const std::optional<torch::Tensor> images = next_images();
      if (!images) break;
      network.forward(*images);
    }
  }
  for (SyncableBatchNorm2dImpl* norm : norms) norm->collect_input_statistics(nullptr);
  if (batches == 0) return 0;

  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < norms.size(); ++i) {
    SyncableBatchNorm2dImpl& norm = *norms[i];
    const auto& s = statistics[i];
    const torch::Tensor mean = s.sum / s.count;
    const torch::Tensor variance = (s.square_sum / s.count - mean.square()).clamp_min(0);
    const torch::Tensor old_mean = norm.running_mean.to(torch::kDouble);
    const torch::Tensor old_scale = torch::rsqrt(norm.running_var.to(torch::kDouble) + norm.eps);
    const torch::Tensor weight = norm.weight.to(torch::kDouble);
    const torch::Tensor new_weight = weight * torch::sqrt(variance + norm.eps) * old_scale;
    const torch::Tensor new_bias = norm.bias.to(torch::kDouble) + weight * (mean - old_mean) * old_scale;
    norm.weight.copy_(new_weight);
    norm.bias.copy_(new_bias);
    norm.running_mean.copy_(mean);
    norm.running_var.copy_(variance);
  }
  return norms.size();
}

}  // namespace faceage
