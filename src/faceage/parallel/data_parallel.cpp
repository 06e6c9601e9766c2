#include "faceage/parallel/data_parallel.h"

#include "faceage/parallel/sync_batch_norm.h"

namespace faceage {

DataParallel::DataParallel(Communicator& communicator, torch::nn::Module& network, bool sync_batchnorm,
                           size_t bucket_bytes)
    : communicator_(communicator) {
  for (const torch::Tensor& parameter : network.parameters())
    if (parameter.requires_grad()) parameters_.push_back(parameter);
  for (const torch::Tensor& buffer : network.buffers()) buffers_.push_back(buffer);
  size_t bucket_size = 0;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const size_t bytes = static_cast<size_t>(parameters_[i].numel()) * parameters_[i].element_size();
    if (buckets_.empty() || (bucket_size + bytes > bucket_bytes && !buckets_.back().empty())) {
      buckets_.emplace_back();
      bucket_size = 0;
    }
    buckets_.back().push_back(i);
    bucket_size += bytes;
  }
  if (sync_batchnorm) {
    nn::synchronize_batch_norms(network, [&communicator](torch::Tensor& tensor) {
      std::vector<torch::Tensor> one = {tensor};
      communicator.all_reduce_sum(one);
    });
  }
}

torch::Device DataParallel::device() const {
  return parameters_.empty() ? torch::Device(torch::kCPU) : parameters_.front().device();
}

void DataParallel::broadcast_weights() {
  std::vector<torch::Tensor> tensors;
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& parameter : parameters_) tensors.push_back(parameter.data());
  for (const torch::Tensor& buffer : buffers_) tensors.push_back(buffer);
  communicator_.broadcast(tensors, 0);
}

StepTotals DataParallel::average_gradients(double local_samples, double local_loss_sum, bool stop) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flat;
  for (const std::vector<size_t>& bucket : buckets_) {
    std::vector<torch::Tensor> pieces;
    for (size_t i : bucket) {
      const torch::Tensor& grad = parameters_[i].grad();
      // A process without a batch this step has no gradients: it adds zeros.
      pieces.push_back(grad.defined() ? grad.reshape({-1}) : torch::zeros({parameters_[i].numel()},
                                                                         parameters_[i].options()));
    }
    flat.push_back(torch::cat(pieces));
  }
  flat.push_back(torch::tensor({local_samples, local_loss_sum, stop ? 1.0 : 0.0},
                               torch::dtype(torch::kFloat64).device(device())));
  communicator_.all_reduce_sum(flat);

  const torch::Tensor totals = flat.back();
  StepTotals result{totals[0].item<double>(), totals[1].item<double>(), totals[2].item<double>() > 0};
  const double scale = result.samples > 0 ? 1.0 / result.samples : 0.0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    int64_t offset = 0;
    for (size_t i : buckets_[b]) {
      torch::Tensor& parameter = parameters_[i];
      const int64_t count = parameter.numel();
      torch::Tensor averaged = flat[b].slice(0, offset, offset + count).view_as(parameter) * scale;
      if (parameter.grad().defined())
        parameter.mutable_grad().copy_(averaged);
      else
        parameter.mutable_grad() = averaged;
      offset += count;
    }
  }
  return result;
}

int64_t DataParallel::broadcast_value(int64_t value) {
  std::vector<torch::Tensor> one = {
      torch::tensor({value}, torch::dtype(torch::kInt64).device(device()))};
  communicator_.broadcast(one, 0);
  return one.front().item<int64_t>();
}

}  // namespace faceage
