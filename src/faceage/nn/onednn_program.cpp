#ifdef FACEAGE_WITH_ONEDNN
#include "faceage/nn/onednn_program.h"

#include <algorithm>
#include <cmath>

#include <ATen/Parallel.h>

#include "faceage/core/error.h"

namespace faceage::nn::onednn {

namespace {

using dnnl::memory;
using Tag = dnnl::memory::format_tag;
using Type = dnnl::memory::data_type;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::desc described(const memory::dims& dims, Tag tag, Type type = Type::f32) {
  return {dims, type, tag};
}

// The same dims in another number format, layout kept.
memory::desc retyped(const memory::desc& desc, Type type) {
  if (desc.data_type() == type) return desc;
  memory::desc copy = desc;
  copy.data.data_type = static_cast<dnnl_data_type_t>(type);
  return copy;
}

bool same_buffer(const memory& a, const memory& b) {
  return a.get_data_handle() == b.get_data_handle();
}

bool is_int8(Type type) { return type == Type::u8 || type == Type::s8; }

// A primitive attribute with these post-ops and, when given, per-channel output scales.
// Scratch memory is the program's own (Program::append): oneDNN's library-managed one
// crashed a Winograd convolution run from another thread than the one that first ran it.
dnnl::primitive_attr with_post_ops(const dnnl::post_ops& post_ops = {},
                                   const std::vector<float>& scales = {}, int scale_mask = 0) {
  dnnl::primitive_attr attribute;
  attribute.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  attribute.set_post_ops(post_ops);
  if (!scales.empty()) attribute.set_output_scales(scale_mask, scales);
  return attribute;
}

// The largest |value| of a float32 memory (padding included: oneDNN keeps it zero).
float largest_magnitude(const memory& x) {
  const auto* values = static_cast<const float*>(x.get_data_handle());
  const size_t count = x.get_desc().get_size() / sizeof(float);
  float largest = 0.0f;
  for (size_t i = 0; i < count; ++i) largest = std::max(largest, std::abs(values[i]));
  return largest;
}

// int8 weights: one scale per output channel, the channel's largest |weight| over 127.
std::vector<float> weight_scales(const torch::Tensor& weight) {
  const torch::Tensor largest =
      weight.detach().to(torch::kFloat).abs().flatten(1).amax(1).clamp_min(1e-12) / 127.0;
  const torch::Tensor contiguous = largest.contiguous();
  return {contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel()};
}

// Winograd's F(4x4, 3x3) does a third of direct convolution's multiplies on 3x3, stride-1
// float32 convolutions, for a little more rounding (still within 1e-4 of LibTorch on
// every parity test). Measured over whole networks on this machine, 2 threads: with it on
// every such convolution whose batch of output maps has at least 150 pixels, ResNet-50/224
// ran 1.11x, ResNet-18/96 1.07x and face_resnet29/150 1.06x direct at batch 1, and
// 1.25-1.33x at batch 32; on smaller maps (7x7 at batch 1) direct was faster. MTCNN's
// few-channel networks ran at half speed with it: only trunks ask for it.
constexpr int64_t kWinogradMinimumPixels = 150;

bool prefers_winograd(Precision precision, const TrunkConvolution& conv,
                      const memory::dims& out) {
  return precision == Precision::kFloat32 && conv.weight.size(2) == 3 &&
         conv.weight.size(3) == 3 && conv.stride == 1 && conv.groups == 1 &&
         out[0] * out[2] * out[3] >= kWinogradMinimumPixels;
}

}  // namespace

memory Workspace::constant(const torch::Tensor& tensor, const memory::desc& user,
                           const memory::desc& wanted, const std::vector<float>& scales,
                           int scale_mask) {
  for (const Constant& known : constants_)
    if (known.source.is_same(tensor) && known.wanted == wanted) return known.reordered;
  Constant added{tensor, wanted, {}, {}};
  const torch::Tensor source = tensor.detach().to(torch::kFloat).contiguous();
  memory plain(user, cpu_engine(), source.data_ptr());
  if (user == wanted && source.is_same(tensor)) {
    added.reordered = plain;
  } else {
    added.storage = torch::empty({static_cast<int64_t>(wanted.get_size())}, torch::kUInt8);
    added.reordered = memory(wanted, cpu_engine(), added.storage.data_ptr());
    dnnl::primitive_attr attribute = with_post_ops();
    if (!scales.empty()) attribute.set_output_scales(scale_mask, scales);
    const dnnl::reorder::primitive_desc reorder(cpu_engine(), user, cpu_engine(), wanted,
                                                attribute);
    const torch::Tensor scratch = torch::empty(
        {static_cast<int64_t>(reorder.scratchpad_desc().get_size()) + 1}, torch::kUInt8);
    dnnl::stream stream(cpu_engine());
    dnnl::reorder(reorder).execute(
        stream, {{DNNL_ARG_FROM, plain},
                 {DNNL_ARG_TO, added.reordered},
                 {DNNL_ARG_SCRATCHPAD,
                  memory(reorder.scratchpad_desc(), cpu_engine(), scratch.data_ptr())}});
    stream.wait();
  }
  constants_.push_back(added);
  return added.reordered;
}

torch::Tensor Workspace::derived(const torch::Tensor& source, double variant,
                                 const std::function<torch::Tensor()>& make) {
  for (const Derived& known : derived_)
    if (known.source.is_same(source) && known.variant == variant) return known.tensor;
  derived_.push_back({source, variant, make()});
  return derived_.back().tensor;
}

void Workspace::release_all() {
  for (Buffer& buffer : buffers_) buffer.in_use = false;
}

memory Workspace::allocate(const memory::desc& desc) {
  const int64_t bytes = static_cast<int64_t>(desc.get_size());
  Buffer* best = nullptr;
  for (Buffer& buffer : buffers_)
    if (!buffer.in_use && buffer.storage.numel() >= bytes &&
        (best == nullptr || buffer.storage.numel() < best->storage.numel()))
      best = &buffer;
  if (best == nullptr) {
    buffers_.push_back({torch::empty({bytes}, torch::kUInt8)});
    best = &buffers_.back();
  }
  best->in_use = true;
  return memory(desc, cpu_engine(), best->storage.data_ptr());
}

void Workspace::release(const memory& x) {
  for (Buffer& buffer : buffers_)
    if (buffer.storage.data_ptr() == x.get_data_handle()) buffer.in_use = false;
}

Program::Program(const memory::dims& input_dims, Workspace& workspace, bool channels_last,
                 Precision precision, const ActivationRanges* ranges)
    : workspace_(workspace),
      channels_last_input_(channels_last),
      precision_(precision),
      ranges_(ranges),
      input_(described(input_dims, channels_last ? Tag::nhwc : Tag::nchw), cpu_engine(),
             DNNL_MEMORY_NONE),
      stream_(cpu_engine()) {
  if (precision == Precision::kInt8 && ranges == nullptr)
    fail("an int8 oneDNN chain needs calibrated activation ranges");
  workspace_.release_all();
  activation_in_[nullptr] = next_activation_++;  // the input, whose buffer run() supplies
}

void Program::append(const dnnl::primitive& primitive, const memory::desc& scratchpad,
                     std::unordered_map<int, memory> arguments) {
  steps_.push_back({primitive, std::move(arguments), -1, {}, scratchpad});
  scratchpad_bytes_ = std::max(scratchpad_bytes_, scratchpad.get_size());
}

void Program::bind_scratchpad() {
  // One buffer for every step: they run one after another.
  scratchpad_ = torch::empty({static_cast<int64_t>(scratchpad_bytes_) + 1}, torch::kUInt8);
  for (Step& step : steps_)
    if (step.scratchpad.get_size() > 0)
      step.arguments[DNNL_ARG_SCRATCHPAD] =
          memory(step.scratchpad, cpu_engine(), scratchpad_.data_ptr());
  scratchpad_bound_ = true;
}

void Program::written(const memory& y, int same_as) {
  const int number = same_as >= 0 ? same_as : next_activation_++;
  activation_in_[y.get_data_handle()] = number;
  steps_.back().measured = number;
  steps_.back().result = y;
}

float Program::scale_of(const memory& x) const {
  const Type type = x.get_desc().data_type();
  return is_int8(type) ? scale_for(activation_in_.at(x.get_data_handle()), type) : 1.0f;
}

float Program::scale_for(int activation, Type type) const {
  if (activation >= static_cast<int>(ranges_->size()))
    fail("the int8 calibration has {} activation ranges, fewer than this chain makes: calibrate "
         "the model again (faceage calibrate)", ranges_->size());
  const float range = std::max((*ranges_)[activation], 1e-6f);
  return range / (type == Type::u8 ? 255.0f : 127.0f);
}

Type Program::activation_type(bool relu) const {
  switch (precision_) {
    case Precision::kBFloat16: return Type::bf16;
    case Precision::kInt8: return relu ? Type::u8 : Type::s8;
    case Precision::kFloat32: break;
  }
  return Type::f32;
}

// Float activations stay in oneDNN's 16-channel blocks from one convolution to the next:
// its 1x1 kernels ran fastest on them here. int8 ones stay NHWC, the layout of oneDNN's
// int8 kernels. ResNeXt's grouped convolutions (4 or 8 channels per group early on) and
// the 3-channel input choose their own layout.
Tag Program::activation_tag(int64_t channels, bool grouped) const {
  if (precision_ != Precision::kFloat32) return channels % 16 == 0 ? Tag::nhwc : Tag::any;
  return channels % 16 == 0 && !grouped ? Tag::nChw16c : Tag::any;
}

void Program::append_activation(const Activation& activation, dnnl::post_ops& post_ops) {
  if (activation.eltwise != dnnl::algorithm::undef)
    post_ops.append_eltwise(1.0f, activation.eltwise, 0.0f, 0.0f);
}

void Program::append_prelu(const memory& y, const torch::Tensor& slopes) {
  if (!slopes.defined()) return;
  // A step of its own, in place: with PReLU as a post-op oneDNN 2.6 fell back to its
  // reference convolutions (4 ms for one of R-Net's).
  const memory::dims dims = y.get_desc().dims();
  const memory::dims slope_dims =
      dims.size() == 4 ? memory::dims{1, dims[1], 1, 1} : memory::dims{1, dims[1]};
  const dnnl::prelu_forward::primitive_desc primitive(
      dnnl::prelu_forward::desc(dnnl::prop_kind::forward_inference, y.get_desc(),
                                described(slope_dims, Tag::any)),
      with_post_ops(), cpu_engine());
  const memory weights =
      workspace_.constant(slopes, described(slope_dims, dims.size() == 4 ? Tag::nchw : Tag::nc),
                          primitive.weights_desc());
  append(dnnl::prelu_forward(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC, y}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, y}});
}

memory Program::plain(const memory& x) {
  const memory::dims dims = x.get_desc().dims();
  return in_layout(x, described(dims, dims.size() == 4 ? Tag::nchw : Tag::nc));
}

memory Program::as_float(const memory& x) {
  return in_layout(x, retyped(x.get_desc(), Type::f32));
}

void Program::release_if_copy(const memory& copy, const memory& original) {
  if (!same_buffer(copy, original)) release(copy);
}

memory Program::in_layout(const memory& x, const memory::desc& wanted) {
  if (x.get_desc() == wanted) return x;
  memory copy = workspace_.allocate(wanted);
  // value = scale * q on both sides: q_to = q_from * scale_from / scale_to. A float
  // input to an int8 step takes the input's calibrated scale.
  const float from = scale_of(x);
  float to = 1.0f;
  if (is_int8(wanted.data_type())) {
    activation_in_[copy.get_data_handle()] = activation_in_.at(x.get_data_handle());
    to = scale_of(copy);
  }
  dnnl::primitive_attr attribute = with_post_ops();
  if (from != to) attribute.set_output_scales(0, {from / to});
  const dnnl::reorder::primitive_desc reorder(cpu_engine(), x.get_desc(), cpu_engine(), wanted,
                                              attribute);
  append(dnnl::reorder(reorder), reorder.scratchpad_desc(),
         {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, copy}});
  return copy;
}

memory::dims Program::convolution_dims(const memory& x, const TrunkConvolution& conv) {
  const memory::dims in = x.get_desc().dims();  // N, C, H, W
  const int64_t kernel = conv.weight.size(2);
  return {in[0], conv.weight.size(0), (in[2] + 2 * conv.padding - kernel) / conv.stride + 1,
          (in[3] + 2 * conv.padding - kernel) / conv.stride + 1};
}

Program::Int8Scaling Program::int8_scaling(const memory& x, const TrunkConvolution& conv,
                                           Type src_type, Type dst_type) {
  // y = s_y * q_y with q_y = (acc + bias / (s_x * s_w)) * s_x * s_w / s_y, acc the int32
  // sum of q_x * q_w (oneDNN 2.x adds the bias before the output scale). The float input
  // is quantized to s8 with its own calibrated range.
  const float s_x = scale_for(activation_in_.at(x.get_data_handle()), src_type);
  const std::vector<float> s_w = weight_scales(conv.weight);
  Int8Scaling scaling;
  scaling.output = scale_for(next_activation_, dst_type);  // the activation it makes
  for (const float s : s_w) {
    scaling.output_scales.push_back(s_x * s / scaling.output);
    scaling.weight_multipliers.push_back(1.0f / s);
  }
  scaling.bias = workspace_.derived(conv.weight, s_x, [&] {
    return (conv.bias.to(torch::kFloat) / (torch::tensor(s_w) * s_x)).contiguous();
  });
  return scaling;
}

memory Program::convolution(const memory& x, const TrunkConvolution& conv,
                            const Activation& activation, const memory* residual) {
  const memory::dims in = x.get_desc().dims();  // N, C, H, W
  const int64_t out_channels = conv.weight.size(0), kernel = conv.weight.size(2);
  const bool grouped = conv.groups > 1;
  const bool int8 = precision_ == Precision::kInt8;
  if (int8 && activation.prelu_slopes.defined()) fail("int8 oneDNN chains take no PReLU");
  const memory::dims weight_dims = grouped ? memory::dims{conv.groups, out_channels / conv.groups,
                                                          in[1] / conv.groups, kernel, kernel}
                                           : memory::dims{out_channels, in[1], kernel, kernel};
  const bool relu = activation.eltwise == dnnl::algorithm::eltwise_relu;
  // int8 sources keep their own u8 or s8 (the float input becomes s8); others take the
  // chain's activation type.
  const Type x_type = x.get_desc().data_type();
  const Type src_type = int8 ? (is_int8(x_type) ? x_type : Type::s8) : activation_type(false);
  const Type dst_type = activation_type(relu);
  // The residual is summed in place: its buffer, read as dst_type (it may hold s8 while
  // the ReLU'd result is u8).
  const memory::desc dst_desc =
      residual != nullptr ? retyped(residual->get_desc(), dst_type)
                          : described(convolution_dims(x, conv),
                                      activation_tag(out_channels, grouped), dst_type);
  const Type weight_type = int8 ? Type::s8 : activation_type(false);
  const memory::desc src_desc = described(in, activation_tag(in[1], grouped), src_type);

  dnnl::post_ops post_ops;
  Int8Scaling scaling;
  if (int8) {
    scaling = int8_scaling(x, conv, src_type, dst_type);
    if (residual != nullptr)
      post_ops.append_sum(scale_of(*residual) / scaling.output, 0,
                          residual->get_desc().data_type());
  } else if (residual != nullptr) {
    post_ops.append_sum(1.0f);
  }
  append_activation(activation, post_ops);
  const auto describe_with = [&](dnnl::algorithm algorithm) {
    return dnnl::convolution_forward::desc(
        dnnl::prop_kind::forward_inference, algorithm, src_desc,
        described(weight_dims, Tag::any, weight_type), described({out_channels}, Tag::a),
        dst_desc, {conv.stride, conv.stride}, {conv.padding, conv.padding},
        {conv.padding, conv.padding});
  };
  const dnnl::primitive_attr attribute =
      with_post_ops(post_ops, scaling.output_scales, int8 ? 1 << 1 : 0);
  dnnl::convolution_forward::primitive_desc primitive;
  if (winograd_ && prefers_winograd(precision_, conv, convolution_dims(x, conv))) {
    try {
      primitive = {describe_with(dnnl::algorithm::convolution_winograd), attribute, cpu_engine()};
    } catch (const dnnl::error&) {  // no Winograd kernel for this shape or CPU
    }
  }
  if (!primitive)
    primitive = {describe_with(dnnl::algorithm::convolution_direct), attribute, cpu_engine()};
  const memory src = in_layout(x, primitive.src_desc());
  const memory weights = workspace_.constant(
      conv.weight, described(weight_dims, grouped ? Tag::goihw : Tag::oihw),
      primitive.weights_desc(), scaling.weight_multipliers, grouped ? (1 << 0) | (1 << 1) : 1 << 0);
  const memory bias_memory = workspace_.constant(int8 ? scaling.bias : conv.bias,
                                                 described({out_channels}, Tag::a),
                                                 primitive.bias_desc());
  const memory dst = residual != nullptr
                         ? memory(primitive.dst_desc(), cpu_engine(), residual->get_data_handle())
                         : workspace_.allocate(primitive.dst_desc());
  append(dnnl::convolution_forward(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC, src},
                     {DNNL_ARG_WEIGHTS, weights},
                     {DNNL_ARG_BIAS, bias_memory},
                     {DNNL_ARG_DST, dst}});
  written(dst);
  append_prelu(dst, activation.prelu_slopes);
  release_if_copy(src, x);
  const memory::dims out = dst.get_desc().dims();
  multiply_adds_ += static_cast<double>(out[0]) * out[1] * out[2] * out[3] * (in[1] / conv.groups) *
                    kernel * kernel;
  return dst;
}

void Program::add_to_corner(const memory& x, const memory& into) {
  // A reorder with a sum post-op: a convolution writing into the strided corner fell back
  // to oneDNN 2.6's reference kernels, a reorder stays in its JIT ones. In int8 the sum
  // keeps `into`'s scale (the rest of its map is not rewritten), calibrated to cover both.
  const memory corner(into.get_desc().submemory_desc(x.get_desc().dims(), {0, 0, 0, 0}),
                      cpu_engine(), into.get_data_handle());
  dnnl::post_ops post_ops;
  post_ops.append_sum(1.0f);
  const float scale = scale_of(x) / scale_of(into);
  const dnnl::reorder::primitive_desc primitive(
      cpu_engine(), x.get_desc(), cpu_engine(), corner.get_desc(),
      with_post_ops(post_ops, scale == 1.0f ? std::vector<float>{} : std::vector<float>{scale}));
  append(dnnl::reorder(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, corner}});
  written(into, activation_in_.at(into.get_data_handle()));
}

memory Program::activate(const memory& x, const Activation& activation) {
  if (activation.eltwise != dnnl::algorithm::undef) {
    const dnnl::eltwise_forward::primitive_desc primitive(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, activation.eltwise,
                                    x.get_desc(), 0.0f, 0.0f),
        with_post_ops(), cpu_engine());
    append(dnnl::eltwise_forward(primitive), primitive.scratchpad_desc(),
           {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, x}});
  }
  append_prelu(x, activation.prelu_slopes);
  return x;
}

memory Program::max_pool(const memory& x, int64_t kernel, int64_t stride, int64_t padding,
                         bool ceil_mode) {
  const memory::dims in = x.get_desc().dims();
  const auto extent = [&](int64_t size) {
    int64_t out = (size + 2 * padding - kernel + (ceil_mode ? stride - 1 : 0)) / stride + 1;
    if (ceil_mode && (out - 1) * stride >= size + padding) --out;  // starts inside (PyTorch)
    return out;
  };
  const memory::dims out = {in[0], in[1], extent(in[2]), extent(in[3])};
  // The right/bottom padding that makes the overhanging window fit; max pooling ignores it.
  const memory::dims padding_r = {(out[2] - 1) * stride + kernel - in[2] - padding,
                                  (out[3] - 1) * stride + kernel - in[3] - padding};
  const dnnl::pooling_forward::primitive_desc primitive(
      dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                  x.get_desc(), described(out, Tag::any, x.get_desc().data_type()),
                                  {stride, stride}, {kernel, kernel}, {padding, padding},
                                  padding_r),
      with_post_ops(), cpu_engine());
  const memory dst = workspace_.allocate(primitive.dst_desc());
  append(dnnl::pooling_forward(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, dst}});
  activation_in_[dst.get_data_handle()] = activation_in_.at(x.get_data_handle());  // same scale
  return dst;
}

memory Program::fully_connected(const memory& x, const torch::Tensor& weight,
                                const memory::dims& weight_dims, Tag weight_tag,
                                const torch::Tensor& bias, const Activation& activation) {
  const int64_t batch = x.get_desc().dims()[0], outputs = weight_dims[0];
  dnnl::post_ops post_ops;
  append_activation(activation, post_ops);
  // Float32 in every precision: the gates and MTCNN's heads are small.
  const memory::desc src_desc = retyped(x.get_desc(), Type::f32);
  const dnnl::inner_product_forward::primitive_desc primitive(
      dnnl::inner_product_forward::desc(
          dnnl::prop_kind::forward_inference, src_desc, described(weight_dims, Tag::any),
          described({outputs}, Tag::a), described({batch, outputs}, Tag::nc)),
      with_post_ops(post_ops), cpu_engine());
  const memory src = in_layout(x, primitive.src_desc());
  const memory weights =
      workspace_.constant(weight, described(weight_dims, weight_tag), primitive.weights_desc());
  const memory bias_memory =
      workspace_.constant(bias, described({outputs}, Tag::a), primitive.bias_desc());
  const memory out = workspace_.allocate(primitive.dst_desc());
  append(dnnl::inner_product_forward(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC, src},
                     {DNNL_ARG_WEIGHTS, weights},
                     {DNNL_ARG_BIAS, bias_memory},
                     {DNNL_ARG_DST, out}});
  append_prelu(out, activation.prelu_slopes);
  release_if_copy(src, x);
  multiply_adds_ += static_cast<double>(batch) * outputs * (weight.numel() / outputs);
  return out;
}

memory Program::global_average(const memory& x, bool exact) {
  const memory::dims in = x.get_desc().dims();
  // Exact: the mean of x's values in float32. Otherwise int8 pools in its own type (the
  // mean rounded to x's levels; oneDNN 2.6 pools int8 into int8 only), a far smaller copy.
  const bool own_type = !exact && is_int8(x.get_desc().data_type());
  const memory values = own_type ? x : as_float(x);
  const dnnl::pooling_forward::primitive_desc primitive(
      dnnl::pooling_forward::desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_avg_exclude_padding,
          values.get_desc(),
          described({in[0], in[1], 1, 1}, Tag::any, values.get_desc().data_type()), {in[2], in[3]},
          {in[2], in[3]}, {0, 0}, {0, 0}),
      with_post_ops(), cpu_engine());
  const memory pooled = workspace_.allocate(primitive.dst_desc());
  append(dnnl::pooling_forward(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC, values}, {DNNL_ARG_DST, pooled}});
  if (own_type) activation_in_[pooled.get_data_handle()] = activation_in_.at(x.get_data_handle());
  release_if_copy(values, x);
  const memory plain = in_layout(pooled, described({in[0], in[1], 1, 1}, Tag::nchw));
  release_if_copy(pooled, plain);
  return plain;
}

memory Program::gate(const memory& pooled, const TrunkGate& gate) {
  const int64_t batch = pooled.get_desc().dims()[0], channels = pooled.get_desc().dims()[1];
  // [N, C, 1, 1] in NCHW is [N, C] row by row: the same buffer, described as rows.
  const memory rows(described({batch, channels}, Tag::nc), cpu_engine(), pooled.get_data_handle());
  const auto weight_dims = [](const torch::Tensor& weight) {
    return memory::dims{weight.size(0), weight.size(1)};
  };
  const memory hidden =
      fully_connected(rows, gate.fc1_weight, weight_dims(gate.fc1_weight), Tag::oi, gate.fc1_bias,
                      {dnnl::algorithm::eltwise_relu, {}});
  const memory scale =
      fully_connected(hidden, gate.fc2_weight, weight_dims(gate.fc2_weight), Tag::oi, gate.fc2_bias,
                      {dnnl::algorithm::eltwise_logistic, {}});
  release(hidden);
  // Rows of C scales are also [N, C, 1, 1] in 16-channel blocks or NHWC (one pixel: the
  // same bytes), the activations' layout, in which gated_residual's kernel takes its
  // broadcast operand.
  const Tag tag = channels % 16 != 0                        ? Tag::nchw
                  : precision_ == Precision::kFloat32 ? Tag::nChw16c
                                                           : Tag::nhwc;
  return memory(described({batch, channels, 1, 1}, tag), cpu_engine(), scale.get_data_handle());
}

memory Program::gated_residual(const memory& x, const memory& gate, const memory& shortcut) {
  const bool int8 = precision_ == Precision::kInt8;
  // The shortcut in x's layout, in its own number format.
  const memory added =
      in_layout(shortcut, retyped(x.get_desc(), shortcut.get_desc().data_type()));
  dnnl::post_ops post_ops;
  post_ops.append_binary(dnnl::algorithm::binary_add, added.get_desc());
  post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  dnnl::primitive_attr attribute = with_post_ops();
  memory::desc dst_desc = x.get_desc();
  if (int8) {
    // The add takes the shortcut's integers as they are, so the product is computed in
    // the shortcut's units (x's scale over the shortcut's), then rescaled to the output's:
    // q_out = (q_x * s_x / s_sc * gate + q_sc) * s_sc / s_out, ReLU'd into u8.
    dst_desc = retyped(x.get_desc(), Type::u8);
    const float s_shortcut = scale_of(added);
    attribute.set_scales(DNNL_ARG_SRC_0, 0, {scale_of(x) / s_shortcut});
    post_ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear,
                            s_shortcut / scale_for(next_activation_, Type::u8), 0.0f);
  }
  attribute.set_post_ops(post_ops);
  const dnnl::binary::primitive_desc primitive(
      dnnl::binary::desc(dnnl::algorithm::binary_mul, x.get_desc(), gate.get_desc(), dst_desc),
      attribute, cpu_engine());
  const memory dst(primitive.dst_desc(), cpu_engine(), x.get_data_handle());  // over x
  append(dnnl::binary(primitive), primitive.scratchpad_desc(),
         {{DNNL_ARG_SRC_0, x},
                     {DNNL_ARG_SRC_1, gate},
                     {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, added},
                     {DNNL_ARG_DST, dst}});
  written(dst);
  release_if_copy(added, shortcut);
  return dst;
}

void Program::run(const torch::Tensor& images, ActivationRanges* ranges) {
  const memory::dims dims = input_.get_desc().dims();
  const at::MemoryFormat layout =
      channels_last_input_ ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  if (images.dim() != 4 || images.scalar_type() != torch::kFloat ||
      !images.is_contiguous(layout) || images.sizes() != torch::IntArrayRef(dims))
    fail("oneDNN chain: expected a float tensor of [{}, {}, {}, {}] ({}), got {}", dims[0],
         dims[1], dims[2], dims[3], channels_last_input_ ? "NHWC" : "NCHW",
         c10::str(images.sizes(), " ", images.scalar_type()));
  // oneDNN's OpenMP threads as LibTorch's in this thread (a worker thread's own default
  // would be every core: `faceage align --jobs N` runs N chains on one thread each).
  at::internal::lazy_init_num_threads();
  input_.set_data_handle(images.data_ptr());
  if (!scratchpad_bound_) bind_scratchpad();
  if (ranges == nullptr) {
    for (Step& step : steps_) step.primitive.execute(stream_, step.arguments);
    stream_.wait();
    return;
  }
  if (precision_ != Precision::kFloat32)
    fail("only a float32 chain records activation ranges");
  ranges->resize(std::max(ranges->size(), static_cast<size_t>(next_activation_)), 0.0f);
  (*ranges)[0] = std::max((*ranges)[0], images.abs().max().item<float>());
  for (Step& step : steps_) {
    step.primitive.execute(stream_, step.arguments);
    if (step.measured < 0) continue;
    stream_.wait();
    (*ranges)[step.measured] = std::max((*ranges)[step.measured], largest_magnitude(step.result));
  }
  stream_.wait();
}

std::vector<int64_t> power_of_two_pieces(int64_t n) {
  std::vector<int64_t> pieces;
  for (int64_t piece = int64_t{1} << 62; piece > 0; piece >>= 1)
    if (n & piece) pieces.push_back(piece);
  return pieces;
}

torch::Tensor joined(const std::vector<torch::Tensor>& pieces) {
  return pieces.size() == 1 ? pieces[0] : torch::cat(pieces);
}

torch::Tensor copied(const memory& memory, torch::IntArrayRef sizes) {
  return torch::from_blob(memory.get_data_handle(), sizes, torch::kFloat).clone();
}

}  // namespace faceage::nn::onednn
#endif  // FACEAGE_WITH_ONEDNN
