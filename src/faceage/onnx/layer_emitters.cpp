#include "faceage/onnx/layer_emitters.h"

#include <torch/enum.h>

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {
namespace {

// Output size of a floor-mode window over `size` (convolution and pooling alike).
int64_t window_output(int64_t size, int64_t kernel, int64_t stride, int64_t padding,
                      int64_t dilation = 1) {
  return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

const Shape& image_shape(const GraphBuilder& graph, const std::string& value,
                         const std::string& where) {
  const Shape& shape = graph.shape(value);
  if (shape.size() != 4) fail("'{}' takes a [N, C, H, W] input, got rank {}", where, shape.size());
  return shape;
}

// The pixels the window leaves, as an error: PyTorch would fail at this size too.
void check_window_fits(const Shape& out, const std::string& path) {
  if (out[2] < 1 || out[3] < 1)
    fail("'{}': the input is too small for this layer at the model's input size", path);
}

// [out, in] matrix whose row i averages the input positions adaptive pooling gives
// output i: [floor(i * in / out), ceil((i + 1) * in / out)).
torch::Tensor adaptive_pooling_matrix(int64_t in, int64_t out) {
  torch::Tensor matrix = torch::zeros({out, in});
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * in / out;
    const int64_t end = ((i + 1) * in + out - 1) / out;
    matrix[i].slice(0, start, end).fill_(1.0 / static_cast<double>(end - start));
  }
  return matrix;
}

}  // namespace

std::string emit_conv(GraphBuilder& graph, const torch::nn::Conv2dImpl& conv,
                      const std::string& path, const std::string& input) {
  const auto& options = conv.options;
  if (torch::enumtype::get_enum_name(options.padding_mode()) != "kZeros")
    fail("unsupported layer '{}': padding mode {} (only zero padding)", path,
         torch::enumtype::get_enum_name(options.padding_mode()));
  if (options.transposed()) fail("unsupported layer '{}': transposed convolution", path);
  torch::ExpandingArray<2> padding(0);
  try {
    padding = nn::explicit_padding(options);
  } catch (const std::exception&) {
    fail("unsupported layer '{}': padding given as a mode, not in pixels", path);
  }
  const auto kernel = *options.kernel_size();
  const auto stride = *options.stride();
  const auto dilation = *options.dilation();
  const Shape& in = image_shape(graph, input, path);
  if (in[1] != options.in_channels())
    fail("'{}' takes {} channels, its input has {}", path, options.in_channels(), in[1]);
  const Shape out = {in[0], options.out_channels(),
                     window_output(in[2], kernel[0], stride[0], padding->at(0), dilation[0]),
                     window_output(in[3], kernel[1], stride[1], padding->at(1), dilation[1])};
  check_window_fits(out, path);
  std::vector<std::string> inputs = {input, graph.add_initializer(path + ".weight", conv.weight)};
  if (conv.bias.defined()) inputs.push_back(graph.add_initializer(path + ".bias", conv.bias));
  return graph.add_node("Conv", path, inputs, out,
                        {ints_attribute("kernel_shape", {kernel[0], kernel[1]}),
                         ints_attribute("strides", {stride[0], stride[1]}),
                         ints_attribute("pads", {padding->at(0), padding->at(1), padding->at(0),
                                                 padding->at(1)}),
                         ints_attribute("dilations", {dilation[0], dilation[1]}),
                         int_attribute("group", options.groups())});
}

std::string emit_batch_norm(GraphBuilder& graph, const nn::SyncableBatchNorm2dImpl& bn,
                            const std::string& path, const std::string& input) {
  if (bn.folded()) return input;  // its convolution's weights already scale and shift
  const Shape& in = image_shape(graph, input, path);
  if (in[1] != bn.channels)
    fail("'{}' normalises {} channels, its input has {}", path, bn.channels, in[1]);
  return graph.add_node("BatchNormalization", path,
                        {input, graph.add_initializer(path + ".weight", bn.weight),
                         graph.add_initializer(path + ".bias", bn.bias),
                         graph.add_initializer(path + ".running_mean", bn.running_mean),
                         graph.add_initializer(path + ".running_var", bn.running_var)},
                        in, {float_attribute("epsilon", static_cast<float>(bn.eps))});
}

std::string emit_relu(GraphBuilder& graph, const std::string& name, const std::string& input) {
  return graph.add_node("Relu", name, {input}, graph.shape(input));
}

std::string emit_max_pool(GraphBuilder& graph, const std::string& name, const std::string& input,
                          int64_t kernel, int64_t stride, int64_t padding) {
  const Shape& in = image_shape(graph, input, name);
  const Shape out = {in[0], in[1], window_output(in[2], kernel, stride, padding),
                     window_output(in[3], kernel, stride, padding)};
  check_window_fits(out, name);
  return graph.add_node("MaxPool", name, {input}, out,
                        {ints_attribute("kernel_shape", {kernel, kernel}),
                         ints_attribute("strides", {stride, stride}),
                         ints_attribute("pads", {padding, padding, padding, padding})});
}

std::string emit_average_pool(GraphBuilder& graph, const std::string& name,
                              const std::string& input, int64_t kernel, int64_t stride) {
  const Shape& in = image_shape(graph, input, name);
  const Shape out = {in[0], in[1], window_output(in[2], kernel, stride, 0),
                     window_output(in[3], kernel, stride, 0)};
  check_window_fits(out, name);
  return graph.add_node("AveragePool", name, {input}, out,
                        {ints_attribute("kernel_shape", {kernel, kernel}),
                         ints_attribute("strides", {stride, stride})});
}

std::string emit_global_average_pool(GraphBuilder& graph, const std::string& name,
                                     const std::string& input) {
  const Shape& in = image_shape(graph, input, name);
  return graph.add_node("GlobalAveragePool", name, {input}, {in[0], in[1], 1, 1});
}

std::string emit_adaptive_average_pool(GraphBuilder& graph, const std::string& name,
                                       const std::string& input, int64_t rows, int64_t columns) {
  const Shape in = image_shape(graph, input, name);
  if (in[2] == rows && in[3] == columns) return input;
  if (in[2] % rows == 0 && in[3] % columns == 0) {
    const int64_t kernel_rows = in[2] / rows, kernel_columns = in[3] / columns;
    return graph.add_node("AveragePool", name, {input}, {in[0], in[1], rows, columns},
                          {ints_attribute("kernel_shape", {kernel_rows, kernel_columns}),
                           ints_attribute("strides", {kernel_rows, kernel_columns})});
  }
  // x [N, C, H, W] @ Pw^T [W, columns], then Ph [rows, H] @ that (MatMul broadcasts).
  const std::string column_matrix = graph.add_initializer(
      name + ".column_averaging", adaptive_pooling_matrix(in[3], columns).t());
  const std::string row_matrix =
      graph.add_initializer(name + ".row_averaging", adaptive_pooling_matrix(in[2], rows));
  const std::string pooled_columns = graph.add_node(
      "MatMul", name + ".columns", {input, column_matrix}, {in[0], in[1], in[2], columns});
  return graph.add_node("MatMul", name, {row_matrix, pooled_columns}, {in[0], in[1], rows, columns});
}

std::string emit_flatten(GraphBuilder& graph, const std::string& name, const std::string& input) {
  const Shape& in = graph.shape(input);
  int64_t features = 1;
  for (size_t i = 1; i < in.size(); ++i) features *= in[i];
  return graph.add_node("Flatten", name, {input}, {in[0], features}, {int_attribute("axis", 1)});
}

std::string emit_linear(GraphBuilder& graph, const torch::nn::LinearImpl& linear,
                        const std::string& path, const std::string& input) {
  const Shape& in = graph.shape(input);
  if (in.size() != 2 || in[1] != linear.options.in_features())
    fail("'{}' takes [N, {}] features, its input is of rank {} with {} columns", path,
         linear.options.in_features(), in.size(), in.empty() ? 0 : in.back());
  std::vector<std::string> inputs = {input, graph.add_initializer(path + ".weight", linear.weight)};
  if (linear.bias.defined()) inputs.push_back(graph.add_initializer(path + ".bias", linear.bias));
  return graph.add_node("Gemm", path, inputs, {in[0], linear.options.out_features()},
                        {int_attribute("transB", 1)});
}

std::string emit_squeeze_excitation(GraphBuilder& graph, const nn::SqueezeExcitationImpl& se,
                                    const std::string& path, const std::string& input) {
  const auto* fc1 = child_as<torch::nn::Conv2dImpl>(se, path, "fc1");
  const auto* fc2 = child_as<torch::nn::Conv2dImpl>(se, path, "fc2");
  std::string gate = emit_global_average_pool(graph, path + ".squeeze", input);
  gate = emit_relu(graph, path + ".relu", emit_conv(graph, *fc1, join_path(path, "fc1"), gate));
  gate = emit_conv(graph, *fc2, join_path(path, "fc2"), gate);
  gate = graph.add_node("Sigmoid", path + ".gate", {gate}, graph.shape(gate));
  return graph.add_node("Mul", path, {input, gate}, graph.shape(input));
}

std::string emit_add(GraphBuilder& graph, const std::string& name, const std::string& a,
                     const std::string& b) {
  if (graph.shape(a) != graph.shape(b))
    fail("'{}': the residual branch and the shortcut differ in shape", name);
  return graph.add_node("Add", name, {a, b}, graph.shape(a));
}

std::string emit_zero_pad(GraphBuilder& graph, const std::string& name, const std::string& input,
                          int64_t channels, int64_t rows, int64_t columns) {
  if (channels == 0 && rows == 0 && columns == 0) return input;
  const Shape& in = image_shape(graph, input, name);
  // ONNX pads: every axis' leading amounts, then every axis' trailing amounts.
  const std::string pads =
      graph.add_int64_initializer(name + ".pads", {0, 0, 0, 0, 0, channels, rows, columns});
  return graph.add_node("Pad", name, {input, pads},
                        {in[0], in[1] + channels, in[2] + rows, in[3] + columns});
}

std::string emit_module(GraphBuilder& graph, const torch::nn::Module& module,
                        const std::string& path, const std::string& input) {
  if (const auto* conv = module.as<torch::nn::Conv2dImpl>())
    return emit_conv(graph, *conv, path, input);
  if (const auto* bn = module.as<nn::SyncableBatchNorm2dImpl>())
    return emit_batch_norm(graph, *bn, path, input);
  if (module.as<torch::nn::ReLUImpl>()) return emit_relu(graph, path, input);
  if (const auto* pool = module.as<torch::nn::MaxPool2dImpl>()) {
    const auto& o = pool->options;
    const auto kernel = *o.kernel_size();
    const auto stride = *o.stride();
    const auto padding = *o.padding();
    const auto dilation = *o.dilation();
    if (kernel[0] != kernel[1] || stride[0] != stride[1] || padding[0] != padding[1] ||
        dilation[0] != 1 || dilation[1] != 1 || o.ceil_mode())
      fail("unsupported layer '{}': a max pool that is not square, floor-mode and undilated", path);
    return emit_max_pool(graph, path, input, kernel[0], stride[0], padding[0]);
  }
  if (module.as<torch::nn::DropoutImpl>()) return input;  // the identity at inference
  if (const auto* linear = module.as<torch::nn::LinearImpl>())
    return emit_linear(graph, *linear, path, input);
  if (const auto* se = module.as<nn::SqueezeExcitationImpl>())
    return emit_squeeze_excitation(graph, *se, path, input);
  if (module.as<torch::nn::SequentialImpl>()) {
    std::string x = input;
    for (const auto& item : module.named_children())
      x = emit_module(graph, *item.value(), join_path(path, item.key()), x);
    return x;
  }
  fail("unsupported layer '{}' ({}): the ONNX export has no emitter for it", path, module.name());
}

}  // namespace faceage::onnx_export
