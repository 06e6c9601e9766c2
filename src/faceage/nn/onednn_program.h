#pragma once
// A fixed chain of oneDNN primitives for one input shape, with the few operations a
// ResNet-family trunk needs. Each builder call appends its primitive(s) and returns the
// output; run() executes the chain. Compiled only with oneDNN's own API
// (FACEAGE_WITH_ONEDNN); onednn_trunk.h is the interface the rest of faceage sees.
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>
#include <torch/torch.h>

#include "faceage/nn/onednn_trunk.h"

namespace faceage::nn::onednn {

// What the chains of one network share: its weights, reordered once per layout a chain
// asks for, and the activation buffers. Chains run one at a time, so each may use every
// buffer; the set grows to what the largest chain needs.
class Workspace {
 public:
  // A constant tensor (weights, bias) viewed as `user`, reordered into `wanted` once.
  dnnl::memory constant(const torch::Tensor& tensor, const dnnl::memory::desc& user,
                        const dnnl::memory::desc& wanted);

  void release_all();  // a new chain is being built
  dnnl::memory allocate(const dnnl::memory::desc& desc);
  void release(const dnnl::memory& x);

 private:
  struct Buffer {
    torch::Tensor storage;  // bytes
    bool in_use = true;
  };
  struct Constant {
    torch::Tensor source;  // the weights as given
    dnnl::memory::desc wanted;
    dnnl::memory reordered;
    torch::Tensor storage;  // behind `reordered`, when it is a copy
  };
  std::vector<Buffer> buffers_;
  std::vector<Constant> constants_;
};

class Program {
 public:
  // The chain's input: an NCHW float tensor of `dims`, supplied by run(). The workspace
  // must outlive the program.
  Program(const dnnl::memory::dims& input_dims, Workspace& workspace);

  const dnnl::memory& input() const { return input_; }

  // conv(x) + bias, then `residual` added in place (the result lives in residual's
  // buffer), then an optional ReLU.
  dnnl::memory convolution(const dnnl::memory& x, const TrunkConvolution& conv, bool relu,
                           const dnnl::memory* residual = nullptr);
  dnnl::memory max_pool(const dnnl::memory& x, int64_t kernel, int64_t stride, int64_t padding);
  // The mean over the pixels: [N, C, 1, 1], plain NCHW.
  dnnl::memory global_average(const dnnl::memory& x);
  // sigmoid(fc2(relu(fc1(pooled)))) for a global_average() output: [N, C, 1, 1], NCHW.
  dnnl::memory gate(const dnnl::memory& pooled, const TrunkGate& gate);
  // relu(x * gate + shortcut), written over x.
  dnnl::memory gated_residual(const dnnl::memory& x, const dnnl::memory& gate,
                              const dnnl::memory& shortcut);

  // x's buffer may hold later steps' outputs: nothing after this call reads x.
  void release(const dnnl::memory& x) { workspace_.release(x); }

  // Runs the chain on `images` (contiguous NCHW float of the input dims).
  void run(const torch::Tensor& images);

 private:
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, dnnl::memory> arguments;
  };

  // x in the `wanted` layout: x itself, or a reordered copy made by a new step (released
  // by the caller once the step that needs it is appended).
  dnnl::memory in_layout(const dnnl::memory& x, const dnnl::memory::desc& wanted);
  void release_if_copy(const dnnl::memory& copy, const dnnl::memory& original);

  Workspace& workspace_;
  dnnl::memory input_;
  std::vector<Step> steps_;
};

}  // namespace faceage::nn::onednn
