#pragma once
// What one process of a data-parallel run does beyond single-process training: start
// from rank 0's weights, average gradients over the processes after every backward pass
// (in buckets), agree on stopping, and optionally share batch-norm statistics.
//
// Gradients are weighted by each process's number of samples (a batch that lost bad
// images counts less), so N processes of batch B step exactly as one process of batch
// N*B; with batch norm that also needs sync_batchnorm (train.sync_batchnorm).
#include <cstddef>
#include <vector>

#include <torch/torch.h>

#include "faceage/parallel/communicator.h"

namespace faceage {

struct StepTotals {
  double samples = 0;   // over all processes
  double loss_sum = 0;  // sum over processes of (mean loss x samples)
  bool stop = false;    // some process was asked to stop
};

class DataParallel {
 public:
  // Gradient buckets of about `bucket_bytes` each: one collective per bucket.
  DataParallel(Communicator& communicator, torch::nn::Module& network, bool sync_batchnorm,
               size_t bucket_bytes = 25u << 20);

  int rank() const { return communicator_.rank(); }
  int world_size() const { return communicator_.world_size(); }
  bool primary() const { return rank() == 0; }

  // Copies rank 0's parameters and buffers to every process (call after moving the
  // network to its device).
  void broadcast_weights();
  // Called after backward() of (mean loss x local samples): replaces each gradient by the
  // sum over processes divided by the total sample count, and returns the step's totals.
  StepTotals average_gradients(double local_samples, double local_loss_sum, bool stop);
  // Rank 0's value on every process.
  int64_t broadcast_value(int64_t value);

 private:
  torch::Device device() const;  // where the network and so the collectives' tensors are

  Communicator& communicator_;
  std::vector<torch::Tensor> parameters_;
  std::vector<torch::Tensor> buffers_;
  std::vector<std::vector<size_t>> buckets_;  // indices into parameters_
};

}  // namespace faceage
