#include "faceage/face/mtcnn_chain.h"

#include "faceage/core/error.h"
#include "faceage/nn/onednn_trunk.h"

#ifdef FACEAGE_WITH_ONEDNN
#include <array>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "faceage/nn/onednn_program.h"
#endif

namespace faceage {

bool MtcnnChains::available() { return nn::OneDnnTrunk::available(); }

#ifdef FACEAGE_WITH_ONEDNN

namespace {

using nn::onednn::Program;
using Kind = MtcnnLayer::Kind;
using Tag = dnnl::memory::format_tag;

// A built chain and its output: every head side by side, plain NCHW or [N, outputs].
struct BuiltChain {
  std::unique_ptr<Program> program;
  dnnl::memory output;
};

BuiltChain build(const std::vector<MtcnnLayer>& layers, const dnnl::memory::dims& input,
                 nn::onednn::Workspace& workspace) {
  BuiltChain built{std::make_unique<Program>(input, workspace, /*channels_last=*/true), {}};
  Program& program = *built.program;
  dnnl::memory x = program.input();
  for (const MtcnnLayer& layer : layers) {
    const Program::Activation activation{dnnl::algorithm::undef, layer.prelu_slopes};
    dnnl::memory y;
    switch (layer.kind) {
      case Kind::kConvolution:
        y = program.convolution(x, {layer.weight, layer.bias, 1, 0, 1}, activation);
        break;
      case Kind::kMaxPoolSame:
      case Kind::kMaxPoolValid:
        y = program.max_pool(x, layer.size, layer.stride, 0, layer.kind == Kind::kMaxPoolSame);
        break;
      case Kind::kDense: {
        const dnnl::memory::dims in = x.get_desc().dims();
        // After a map, the weights read its pixels in NHWC order: [out, H, W, C] in memory.
        const bool after_map = in.size() == 4;
        const dnnl::memory::dims weight_dims =
            after_map ? dnnl::memory::dims{layer.weight.size(0), in[1], in[2], in[3]}
                      : dnnl::memory::dims{layer.weight.size(0), in[1]};
        y = program.fully_connected(x, layer.weight, weight_dims, after_map ? Tag::ohwi : Tag::oi,
                                    layer.bias, activation);
        break;
      }
    }
    if (x.get_data_handle() != program.input().get_data_handle()) program.release(x);
    x = y;
  }
  built.output = program.plain(x);
  return built;
}

}  // namespace

// What one calling thread builds and runs: its chains and their buffers (MTCNN's weights
// are small, so each thread reorders its own copy).
struct ThreadChains {
  nn::onednn::Workspace workspace;
  std::map<std::tuple<int, int64_t, int64_t, int64_t>, BuiltChain> built;
};

struct MtcnnChains::Impl {
  std::array<std::vector<MtcnnLayer>, 3> layers;  // P-Net, R-Net, O-Net
  // Detection runs on several threads at once (`faceage align --jobs N` shares one
  // detector), so each thread has its own chains instead of waiting for the others.
  std::mutex mutex;  // guards the map, not the chains
  std::map<std::thread::id, std::unique_ptr<ThreadChains>> per_thread;

  ThreadChains& this_threads() {
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<ThreadChains>& chains = per_thread[std::this_thread::get_id()];
    if (!chains) chains = std::make_unique<ThreadChains>();
    return *chains;
  }

  // Every head's output for `input`, run in power-of-two pieces of the batch.
  torch::Tensor run(int net, const torch::Tensor& input) {
    if (input.dim() != 4 || input.scalar_type() != torch::kFloat || !input.device().is_cpu())
      fail("MTCNN chain: expected float CPU images of [N, 3, H, W], got {}",
           c10::str(input.sizes(), " ", input.scalar_type()));
    const torch::Tensor images = input.contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t h = images.size(2), w = images.size(3);
    ThreadChains& chains = this_threads();
    std::vector<torch::Tensor> outputs;
    int64_t start = 0;
    for (const int64_t n : nn::onednn::power_of_two_pieces(images.size(0))) {
      const auto key = std::make_tuple(net, n, h, w);
      auto found = chains.built.find(key);
      if (found == chains.built.end()) {
        // Every picture size of a pyramid has its chains: start over past a few hundred.
        if (chains.built.size() >= 256) chains.built.clear();
        found = chains.built.emplace(key, build(layers[net], {n, 3, h, w}, chains.workspace)).first;
      }
      BuiltChain& chain = found->second;
      chain.program->run(images.slice(0, start, start + n));
      start += n;
      outputs.push_back(nn::onednn::copied(chain.output, chain.output.get_desc().dims()));
    }
    if (outputs.empty()) return torch::empty({0});
    return nn::onednn::joined(outputs);
  }
};

MtcnnChains::MtcnnChains(const MtcnnNets& nets) : impl_(std::make_unique<Impl>()) {
  impl_->layers = {nets.pnet->layers(), nets.rnet->layers(), nets.onet->layers()};
}

MtcnnChains::~MtcnnChains() = default;

PNetOutput MtcnnChains::pnet(const torch::Tensor& images) {
  const torch::Tensor heads = impl_->run(0, images);
  return {heads.slice(1, 0, 2), heads.slice(1, 2, 6)};
}

RNetOutput MtcnnChains::rnet(const torch::Tensor& crops) {
  const torch::Tensor heads = impl_->run(1, crops);
  return {heads.slice(1, 0, 2), heads.slice(1, 2, 6)};
}

ONetOutput MtcnnChains::onet(const torch::Tensor& crops) {
  const torch::Tensor heads = impl_->run(2, crops);
  return {heads.slice(1, 0, 2), heads.slice(1, 2, 6), heads.slice(1, 6, 16)};
}

#else  // built without oneDNN's API

struct MtcnnChains::Impl {};

MtcnnChains::MtcnnChains(const MtcnnNets&) {
  fail("this faceage was built without oneDNN (install libdnnl-dev and rebuild)");
}

MtcnnChains::~MtcnnChains() = default;

PNetOutput MtcnnChains::pnet(const torch::Tensor&) { return {}; }
RNetOutput MtcnnChains::rnet(const torch::Tensor&) { return {}; }
ONetOutput MtcnnChains::onet(const torch::Tensor&) { return {}; }

#endif

}  // namespace faceage
