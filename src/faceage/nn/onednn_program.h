#pragma once
// A fixed chain of oneDNN primitives for one input shape, with the few operations that
// ResNet-family trunks and MTCNN's networks need. Each builder call appends its
// primitive(s) and returns the output; run() executes the chain.
//
// Number formats (Precision): float32; bfloat16 (activations and weights rounded,
// sums in float32); int8, where a tensor holds q with value = scale * q, u8 after a ReLU
// and s8 otherwise, the scale being the tensor's calibrated range over 255 or 127, and
// weights are s8 with one scale per output channel. A float32 chain can record those
// ranges: every activation the builder makes is numbered in order (the input is 0), the
// same order for every picture size, and run() can measure each after its step. Compiled only with
// oneDNN's own API (FACEAGE_WITH_ONEDNN); onednn_trunk.h and face/mtcnn_chain.h are the
// interfaces the rest of faceage sees.
#include <functional>
#include <unordered_map>
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
  // A constant tensor (weights, bias) viewed as `user`, reordered into `wanted` once;
  // int8 weights are multiplied by `scales` on the way (oneDNN's mask: which dimensions
  // they vary along).
  dnnl::memory constant(const torch::Tensor& tensor, const dnnl::memory::desc& user,
                        const dnnl::memory::desc& wanted, const std::vector<float>& scales = {},
                        int scale_mask = 0);
  // A tensor computed from `source` once per `variant` (int8's rescaled biases), so that
  // the chains of every picture size share it and its constant().
  torch::Tensor derived(const torch::Tensor& source, double variant,
                        const std::function<torch::Tensor()>& make);

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
  struct Derived {
    torch::Tensor source;
    double variant;
    torch::Tensor tensor;
  };
  std::vector<Buffer> buffers_;
  std::vector<Constant> constants_;
  std::vector<Derived> derived_;
};

class Program {
 public:
  // The chain's input: a float tensor of `dims` ([N, C, H, W]), NCHW or, with
  // `channels_last`, NHWC in memory, supplied by run(). The workspace must outlive the
  // program. int8 needs `ranges` (one per activation, as a float32 chain recorded them),
  // which must outlive the program.
  Program(const dnnl::memory::dims& input_dims, Workspace& workspace, bool channels_last = false,
          Precision precision = Precision::kFloat32,
          const ActivationRanges* ranges = nullptr);

  const dnnl::memory& input() const { return input_; }

  // Float32 3x3 convolutions on large enough maps use Winograd's algorithm from now on
  // (the ResNet-family trunks: faster there; MTCNN's small networks: slower).
  void allow_winograd() { winograd_ = true; }

  // What follows a layer: nothing, an element-wise function (ReLU, sigmoid), or a PReLU
  // with these per-channel slopes.
  struct Activation {
    dnnl::algorithm eltwise = dnnl::algorithm::undef;
    torch::Tensor prelu_slopes;
  };

  // conv(x) + bias, then `residual` added in place (the result lives in residual's
  // buffer), then the activation.
  dnnl::memory convolution(const dnnl::memory& x, const TrunkConvolution& conv,
                           const Activation& activation, const dnnl::memory* residual = nullptr);
  // [N, C, H, W] of convolution(x, conv, ...)'s output.
  static dnnl::memory::dims convolution_dims(const dnnl::memory& x, const TrunkConvolution& conv);
  // into's top-left x-sized corner += x (x no larger than `into`, the same N and C).
  void add_to_corner(const dnnl::memory& x, const dnnl::memory& into);
  // The activation over x, in place: for when no primitive before it can take it.
  dnnl::memory activate(const dnnl::memory& x, const Activation& activation);
  // With ceil_mode the last, overhanging window is kept (Caffe's and MTCNN's pooling);
  // the pixels it overhangs do not count.
  dnnl::memory max_pool(const dnnl::memory& x, int64_t kernel, int64_t stride, int64_t padding,
                        bool ceil_mode = false);
  // [N, outputs] rows: x (any [N, ...] layout) times weight, viewed as `weight_dims` in
  // `weight_tag`, plus bias, then the activation.
  dnnl::memory fully_connected(const dnnl::memory& x, const torch::Tensor& weight,
                               const dnnl::memory::dims& weight_dims,
                               dnnl::memory::format_tag weight_tag, const torch::Tensor& bias,
                               const Activation& activation);
  // The mean over the pixels: [N, C, 1, 1], plain NCHW float32 in every precision; not
  // `exact`, int8 means are rounded to x's levels (squeeze-and-excitation's gates).
  dnnl::memory global_average(const dnnl::memory& x, bool exact = true);
  // sigmoid(fc2(relu(fc1(pooled)))) for a global_average() output: [N, C, 1, 1].
  dnnl::memory gate(const dnnl::memory& pooled, const TrunkGate& gate);
  // relu(x * gate + shortcut), written over x.
  dnnl::memory gated_residual(const dnnl::memory& x, const dnnl::memory& gate,
                              const dnnl::memory& shortcut);
  // x in plain NCHW (or [N, C] rows) for reading after run(): x itself or a reordered copy.
  dnnl::memory plain(const dnnl::memory& x);

  // x's buffer may hold later steps' outputs: nothing after this call reads x.
  void release(const dnnl::memory& x) { workspace_.release(x); }

  // How many activations the chain numbers (the input included).
  int activation_count() const { return next_activation_; }
  // The multiply-adds of its convolutions and dense layers, for GFLOP/s figures.
  double multiply_adds() const { return multiply_adds_; }

  // Runs the chain on `images` (float of the input dims, in the input's memory layout).
  // With `ranges` (float32 chains only), widens ranges[i] to the largest |value| that
  // activation i took.
  void run(const torch::Tensor& images, ActivationRanges* ranges = nullptr);

 private:
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, dnnl::memory> arguments;
    int measured = -1;  // the activation this step writes, for run()'s ranges
    dnnl::memory result;
    dnnl::memory::desc scratchpad;  // the scratch memory it needs (bound by run())
  };

  // A new step; its scratch memory is a view of the program's one scratch buffer.
  void append(const dnnl::primitive& primitive, const dnnl::memory::desc& scratchpad,
              std::unordered_map<int, dnnl::memory> arguments);
  void bind_scratchpad();
  // An int8 convolution's scales: the output's (s_y), oneDNN's per-channel output scales,
  // what quantizes each output channel's weights, and the bias in the int32 sums' units.
  struct Int8Scaling {
    float output = 1.0f;
    std::vector<float> output_scales, weight_multipliers;
    torch::Tensor bias;
  };
  Int8Scaling int8_scaling(const dnnl::memory& x, const TrunkConvolution& conv,
                           dnnl::memory::data_type src_type, dnnl::memory::data_type dst_type);

  // Numbers a new activation written to y by the last step (`same_as`: an activation
  // updated in place that keeps its number, and so its int8 scale).
  void written(const dnnl::memory& y, int same_as = -1);
  // An int8 tensor's scale (value = scale * q), 1 for float types.
  float scale_of(const dnnl::memory& x) const;
  // The scale of activation number `activation` held as `type` (u8 or s8).
  float scale_for(int activation, dnnl::memory::data_type type) const;
  // The number format and layout of a new activation of `channels`, ReLU'd or not.
  dnnl::memory::data_type activation_type(bool relu) const;
  dnnl::memory::format_tag activation_tag(int64_t channels, bool grouped) const;
  // x as float32 in its own layout (x itself when it is float32).
  dnnl::memory as_float(const dnnl::memory& x);

  // x in the `wanted` layout and number format: x itself, or a reordered (int8: rescaled)
  // copy made by a new step (released by the caller once the step that needs it is
  // appended).
  dnnl::memory in_layout(const dnnl::memory& x, const dnnl::memory::desc& wanted);
  void release_if_copy(const dnnl::memory& copy, const dnnl::memory& original);

  // The element-wise post-op of `activation`, if any (after those already in post_ops).
  static void append_activation(const Activation& activation, dnnl::post_ops& post_ops);
  // PReLU with these slopes (if defined) over y, in place, as a step of its own.
  void append_prelu(const dnnl::memory& y, const torch::Tensor& slopes);

  Workspace& workspace_;
  bool channels_last_input_;
  Precision precision_;
  const ActivationRanges* ranges_;
  bool winograd_ = false;
  torch::Tensor scratchpad_;
  size_t scratchpad_bytes_ = 0;
  bool scratchpad_bound_ = false;
  int next_activation_ = 0;
  double multiply_adds_ = 0;
  std::unordered_map<void*, int> activation_in_;  // buffer -> the activation it holds now
  dnnl::memory input_;
  dnnl::stream stream_;  // in order: the steps run one after another
  std::vector<Step> steps_;
};

// A chain is built per batch size, so a batch runs in power-of-two pieces (13 = 8 + 4 + 1):
// any number of images then needs at most log2 chains per picture size, not one each.
std::vector<int64_t> power_of_two_pieces(int64_t n);

// The pieces' outputs as one batch (the piece itself when there is one).
torch::Tensor joined(const std::vector<torch::Tensor>& pieces);

// A float tensor of `sizes` copied out of a plain (NCHW or [N, C]) memory.
torch::Tensor copied(const dnnl::memory& memory, torch::IntArrayRef sizes);

}  // namespace faceage::nn::onednn
