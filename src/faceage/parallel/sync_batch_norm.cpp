#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::nn {
namespace {

// y = the sum of x over processes; dL/dx = the sum of dL/dy over processes, since every
// process's loss depends on the shared sum.
struct CrossProcessSumFunction : torch::autograd::Function<CrossProcessSumFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* context, torch::Tensor input,
                               const CrossProcessSum* sum) {
    // saved_data holds IValues only: the sum is owned by the module, which outlives the
    // backward pass of its own forward.
    context->saved_data["sum"] = reinterpret_cast<int64_t>(sum);
    torch::Tensor total = input.clone();
    (*sum)(total);
    return total;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                 torch::autograd::variable_list grads) {
    const auto* sum = reinterpret_cast<const CrossProcessSum*>(context->saved_data["sum"].toInt());
    torch::Tensor total = grads[0].contiguous().clone();
    (*sum)(total);
    return {total, torch::Tensor()};
  }
};

}  // namespace

SyncableBatchNorm2dImpl::SyncableBatchNorm2dImpl(int64_t channels_, double eps_, double momentum_)
    : channels(channels_), eps(eps_), momentum(momentum_) {
  reset();
}

void SyncableBatchNorm2dImpl::reset() {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
  running_mean = register_buffer("running_mean", torch::zeros({channels}));
  running_var = register_buffer("running_var", torch::ones({channels}));
  num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kInt64));
}

torch::Tensor SyncableBatchNorm2dImpl::forward(const torch::Tensor& input) {
  if (folded_) {
    TORCH_CHECK(!is_training(), "a batch norm folded for inference cannot train");
    return input;
  }
  if (sum_ && is_training()) return synchronized_forward(input);
  if (statistics_ && !is_training()) {
    torch::NoGradGuard no_grad;
    const torch::Tensor values = input.to(torch::kDouble);
    const std::vector<int64_t> reduce = {0, 2, 3};
    const torch::Tensor sum = values.sum(reduce), square_sum = values.square().sum(reduce);
    statistics_->sum = statistics_->sum.defined() ? statistics_->sum + sum : sum;
    statistics_->square_sum =
        statistics_->square_sum.defined() ? statistics_->square_sum + square_sum : square_sum;
    statistics_->count += static_cast<double>(input.numel() / std::max<int64_t>(channels, 1));
  }
  if (is_training()) num_batches_tracked.add_(1);
  return torch::batch_norm(input, weight, bias, running_mean, running_var, is_training(),
                           momentum, eps, at::globalContext().userEnabledCuDNN());
}

// Two passes (mean, then the mean squared deviation) rather than E[x²] - E[x]², which
// loses digits when the mean is large against the spread.
torch::Tensor SyncableBatchNorm2dImpl::synchronized_forward(const torch::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "SyncableBatchNorm2d: expected NCHW input, got ", input.sizes());
  const std::vector<int64_t> reduce = {0, 2, 3};
  const auto local_count = static_cast<double>(input.numel() / std::max<int64_t>(channels, 1));

  torch::Tensor sums = torch::cat(
      {input.sum(reduce), torch::full({1}, local_count, input.options()).detach()});
  sums = CrossProcessSumFunction::apply(sums, &sum_);
  const torch::Tensor count = sums.slice(0, channels).detach();
  const torch::Tensor mean = sums.slice(0, 0, channels) / count;
  const torch::Tensor centered = input - mean.view({1, channels, 1, 1});
  torch::Tensor square_sums = CrossProcessSumFunction::apply(centered.square().sum(reduce), &sum_);
  const torch::Tensor variance = square_sums / count;

  const torch::Tensor output =
      centered * torch::rsqrt(variance + eps).view({1, channels, 1, 1}) *
          weight.view({1, channels, 1, 1}) +
      bias.view({1, channels, 1, 1});
  {
    torch::NoGradGuard no_grad;
    // Tensor arithmetic, not count.item(): no host round trip per layer on a GPU.
    const torch::Tensor unbiased = variance * count / (count - 1).clamp_min(1);
    running_mean.mul_(1.0 - momentum).add_(mean.detach(), momentum);
    running_var.mul_(1.0 - momentum).add_(unbiased.detach(), momentum);
    num_batches_tracked.add_(1);
  }
  return output;
}

void SyncableBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "SyncableBatchNorm2d(" << channels << ", eps=" << eps
         << (sum_ ? ", synchronized)" : ")");
}

size_t synchronize_batch_norms(torch::nn::Module& module, const CrossProcessSum& sum) {
  size_t count = 0;
  for (const std::shared_ptr<torch::nn::Module>& child : module.modules()) {
    if (auto* batch_norm = child->as<SyncableBatchNorm2dImpl>()) {
      batch_norm->synchronize_with(sum);
      ++count;
    }
  }
  return count;
}

}  // namespace faceage::nn
