#include "faceage/parallel/communicator.h"

#include <cstdlib>

#include "faceage/core/error.h"

#if FACEAGE_WITH_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if FACEAGE_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace faceage {

#if FACEAGE_WITH_C10D
namespace {

// One class for both backends: ProcessGroupGloo and ProcessGroupNCCL share these calls
// (their common base differs between LibTorch versions, so it is not named here).
template <typename Group>
class ProcessGroupCommunicator : public Communicator {
 public:
  ProcessGroupCommunicator(c10::intrusive_ptr<Group> group, int rank, int world_size)
      : group_(std::move(group)), rank_(rank), world_size_(world_size) {}
  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    wait_all(tensors, [&](std::vector<at::Tensor>& one) {
      return group_->allreduce(one, c10d::AllreduceOptions{});
    });
  }

  void broadcast(std::vector<torch::Tensor>& tensors, int root) override {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    wait_all(tensors, [&](std::vector<at::Tensor>& one) { return group_->broadcast(one, options); });
  }

 private:
  // A c10d call given several tensors treats them as one tensor per device, so each
  // tensor is its own collective; all are started before any is waited for. c10d needs
  // contiguous tensors: others (channels-last weights) go through a contiguous copy.
  template <typename Start>
  void wait_all(std::vector<torch::Tensor>& tensors, Start start) {
    std::vector<std::vector<at::Tensor>> singles;
    singles.reserve(tensors.size());
    for (const torch::Tensor& tensor : tensors) singles.push_back({tensor.contiguous()});
    using Work = decltype(start(singles.front()));
    std::vector<Work> works;
    works.reserve(singles.size());
    try {
      for (std::vector<at::Tensor>& single : singles) works.push_back(start(single));
      for (Work& work : works) work->wait();
      for (size_t i = 0; i < tensors.size(); ++i)
        if (!singles[i][0].is_same(tensors[i])) tensors[i].copy_(singles[i][0]);
    } catch (const std::exception& e) {
      fail("process group rank {} of {}: {} (did another process stop?)", rank_, world_size_,
           e.what());
    }
  }

  c10::intrusive_ptr<Group> group_;
  int rank_, world_size_;
};

std::shared_ptr<::gloo::transport::Device> gloo_device(const LaunchEnvironment& environment) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  const std::string& addr = environment.master_addr;
  if (addr == "localhost" || addr.rfind("127.", 0) == 0)
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

bool process_groups_available() { return true; }

std::unique_ptr<Communicator> join_process_group(const LaunchEnvironment& environment,
                                                 torch::Device device,
                                                 std::chrono::milliseconds timeout) {
  const int rank = environment.rank, size = environment.world_size;
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(environment.master_port);
    store_options.isServer = rank == 0;
    store_options.numWorkers = size;
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(environment.master_addr, store_options);
    if (device.is_cuda()) {
#if FACEAGE_WITH_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
      return std::make_unique<ProcessGroupCommunicator<c10d::ProcessGroupNCCL>>(group, rank, size);
#else
      fail("this faceage was built without NCCL: data-parallel training on CUDA needs a "
           "LibTorch with c10d NCCL (train.device=cpu uses Gloo)");
#endif
    }
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(environment));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, options);
    return std::make_unique<ProcessGroupCommunicator<c10d::ProcessGroupGloo>>(group, rank, size);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("rank {} of {}: cannot join the process group at {}:{}: {}", rank, size,
         environment.master_addr, environment.master_port, e.what());
  }
}

#else  // LibTorch without c10d's Gloo headers

bool process_groups_available() { return false; }

std::unique_ptr<Communicator> join_process_group(const LaunchEnvironment&, torch::Device,
                                                 std::chrono::milliseconds) {
  fail("this faceage was built without LibTorch's c10d (ProcessGroupGloo.hpp was not found): "
       "data-parallel training is not available");
}

#endif

}  // namespace faceage
