#pragma once
// The collective operations a data-parallel run needs, over LibTorch's c10d process
// groups: Gloo for CPU tensors, NCCL for CUDA tensors when LibTorch was built with it.
// Every process must call the same operations in the same order.
#include <chrono>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "faceage/parallel/launch_environment.h"

namespace faceage {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // Sums each tensor over all processes, in place. The tensors are reduced concurrently
  // (one collective each) and all have finished when this returns.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  // Copies each tensor of process `root` into the others', in place.
  virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
};

// False when this build's LibTorch came without c10d's Gloo headers.
bool process_groups_available();

// Joins the run described by `environment`: rendezvous through a TCP store at
// MASTER_ADDR:MASTER_PORT (rank 0 serves it), then a process group for `device`.
// `timeout` bounds the rendezvous and every collective (a dead peer is an error, not a
// hang). Gloo binds the interface named by GLOO_SOCKET_IFNAME when set, as in PyTorch.
// Throws faceage::Error when the group cannot be formed.
std::unique_ptr<Communicator> join_process_group(const LaunchEnvironment& environment,
                                                 torch::Device device,
                                                 std::chrono::milliseconds timeout);

}  // namespace faceage
