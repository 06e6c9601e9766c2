#pragma once
// Batch norm that can take its batch statistics over every process of a data-parallel run
// (as PyTorch's SyncBatchNorm). Off, it is torch::nn::BatchNorm2d: same parameters, same
// buffers, same file layout, same speed. On, N processes with batch B compute exactly
// what one process computes with batch N*B, which is what makes data-parallel training
// reproduce single-process training.
#include <functional>

#include <torch/torch.h>

namespace faceage::nn {

// Sums a tensor, in place, over all processes of the run (an all-reduce). Every process
// must call it the same number of times in the same order.
using CrossProcessSum = std::function<void(torch::Tensor&)>;

// torch::nn::BatchNorm2d's parameters and buffers under the same names (weight, bias,
// running_mean, running_var, num_batches_tracked), written out rather than derived from
// it: LibTorch does not export all of BatchNorm2dImpl's base template.
class SyncableBatchNorm2dImpl : public torch::nn::Cloneable<SyncableBatchNorm2dImpl> {
 public:
  explicit SyncableBatchNorm2dImpl(int64_t channels, double eps = 1e-5, double momentum = 0.1);

  torch::Tensor forward(const torch::Tensor& input);

  // nullptr turns synchronisation off.
  void synchronize_with(CrossProcessSum sum) { sum_ = std::move(sum); }
  bool synchronized() const { return static_cast<bool>(sum_); }

  // Folded (inference_optimization.h): the preceding convolution already applies this
  // scale and shift, so forward passes its input through. Eval mode only.
  void mark_folded() { folded_ = true; }
  bool folded() const { return folded_; }

  // While set (learn/batch_norm_recalibration.h), an eval-mode forward also adds its
  // input's per-channel sums to `statistics`; nullptr stops that.
  struct InputStatistics {
    torch::Tensor sum, square_sum;  // float64, [channels]
    double count = 0;               // values per channel seen
  };
  void collect_input_statistics(InputStatistics* statistics) { statistics_ = statistics; }

  void reset() override;  // unit scale, zero shift, fresh statistics
  void pretty_print(std::ostream& stream) const override;

  int64_t channels;
  double eps, momentum;
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  torch::Tensor synchronized_forward(const torch::Tensor& input);
  CrossProcessSum sum_;
  bool folded_ = false;
  InputStatistics* statistics_ = nullptr;
};
TORCH_MODULE(SyncableBatchNorm2d);

// Sets (or, with nullptr, clears) the synchronisation of every batch norm in `module`;
// returns how many there are.
size_t synchronize_batch_norms(torch::nn::Module& module, const CrossProcessSum& sum);

}  // namespace faceage::nn
