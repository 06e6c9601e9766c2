#include "faceage/onnx/graph_builder.h"

#include <fmt/format.h>

#include "faceage/core/error.h"

namespace faceage::onnx_export {

::onnx::AttributeProto int_attribute(const std::string& name, int64_t value) {
  ::onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(::onnx::AttributeProto::INT);
  attribute.set_i(value);
  return attribute;
}

::onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<int64_t>& values) {
  ::onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(::onnx::AttributeProto::INTS);
  for (const int64_t value : values) attribute.add_ints(value);
  return attribute;
}

::onnx::AttributeProto float_attribute(const std::string& name, float value) {
  ::onnx::AttributeProto attribute;
  attribute.set_name(name);
  attribute.set_type(::onnx::AttributeProto::FLOAT);
  attribute.set_f(value);
  return attribute;
}

std::string GraphBuilder::unique_name(const std::string& wanted) {
  std::string name = wanted;
  for (int suffix = 2; names_.count(name); ++suffix) name = fmt::format("{}_{}", wanted, suffix);
  names_.insert(name);
  return name;
}

void GraphBuilder::fill_value_info(::onnx::ValueInfoProto& info, const std::string& name,
                                   const Shape& shape, const std::string& doc) const {
  info.set_name(name);
  if (!doc.empty()) info.set_doc_string(doc);
  ::onnx::TypeProto_Tensor* tensor = info.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(::onnx::TensorProto::FLOAT);
  ::onnx::TensorShapeProto* dims = tensor->mutable_shape();
  for (const int64_t size : shape) {
    if (size == kBatch) dims->add_dim()->set_dim_param("N");
    else dims->add_dim()->set_dim_value(size);
  }
}

std::string GraphBuilder::add_input(const std::string& name, const Shape& shape,
                                    const std::string& doc) {
  if (names_.count(name)) fail("ONNX graph: input name '{}' is taken", name);
  names_.insert(name);
  shapes_[name] = shape;
  fill_value_info(*graph_.add_input(), name, shape, doc);
  return name;
}

void GraphBuilder::add_output(const std::string& value, const std::string& name,
                              const std::string& doc) {
  const Shape value_shape = shape(value);
  if (value != name) {
    if (names_.count(name)) fail("ONNX graph: output name '{}' is taken", name);
    for (::onnx::NodeProto& node : *graph_.mutable_node()) {
      for (std::string& input : *node.mutable_input())
        if (input == value) input = name;
      for (std::string& output : *node.mutable_output())
        if (output == value) output = name;
    }
    for (::onnx::ValueInfoProto& output : *graph_.mutable_output())
      if (output.name() == value) output.set_name(name);
    names_.insert(name);
    shapes_[name] = value_shape;
  }
  fill_value_info(*graph_.add_output(), name, value_shape, doc);
}

std::string GraphBuilder::add_initializer(const std::string& name, const torch::Tensor& tensor) {
  if (names_.count(name)) fail("ONNX graph: initializer '{}' is written twice", name);
  names_.insert(name);
  const torch::Tensor values = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
  ::onnx::TensorProto* proto = graph_.add_initializer();
  proto->set_name(name);
  proto->set_data_type(::onnx::TensorProto::FLOAT);
  for (const int64_t size : values.sizes()) proto->add_dims(size);
  // raw_data is little-endian, as x86 and ARM hosts store floats.
  proto->set_raw_data(values.data_ptr<float>(), values.numel() * sizeof(float));
  shapes_[name] = values.sizes().vec();
  return name;
}

std::string GraphBuilder::add_int64_initializer(const std::string& name,
                                                const std::vector<int64_t>& values) {
  const std::string unique = unique_name(name);
  ::onnx::TensorProto* proto = graph_.add_initializer();
  proto->set_name(unique);
  proto->set_data_type(::onnx::TensorProto::INT64);
  proto->add_dims(static_cast<int64_t>(values.size()));
  for (const int64_t value : values) proto->add_int64_data(value);
  shapes_[unique] = {static_cast<int64_t>(values.size())};
  return unique;
}

std::string GraphBuilder::add_scalar_initializer(const std::string& name, float value) {
  const std::string unique = unique_name(name);
  ::onnx::TensorProto* proto = graph_.add_initializer();
  proto->set_name(unique);
  proto->set_data_type(::onnx::TensorProto::FLOAT);
  proto->add_float_data(value);
  shapes_[unique] = {};
  return unique;
}

std::string GraphBuilder::add_node(const std::string& op_type, const std::string& name,
                                   const std::vector<std::string>& inputs, const Shape& shape,
                                   const std::vector<::onnx::AttributeProto>& attributes) {
  return add_multi_output_node(op_type, name, inputs, {shape}, attributes).front();
}

std::vector<std::string> GraphBuilder::add_multi_output_node(
    const std::string& op_type, const std::string& name, const std::vector<std::string>& inputs,
    const std::vector<Shape>& shapes, const std::vector<::onnx::AttributeProto>& attributes) {
  for (const std::string& input : inputs)
    if (!input.empty() && !shapes_.count(input))
      fail("ONNX graph: node '{}' reads '{}', which nothing made", name, input);
  ::onnx::NodeProto* node = graph_.add_node();
  node->set_op_type(op_type);
  const std::string node_name = unique_name(name);
  node->set_name(node_name);
  for (const std::string& input : inputs) node->add_input(input);
  std::vector<std::string> outputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::string output =
        shapes.size() == 1 ? node_name : unique_name(fmt::format("{}:{}", node_name, i));
    node->add_output(output);
    shapes_[output] = shapes[i];
    outputs.push_back(output);
  }
  for (const ::onnx::AttributeProto& attribute : attributes) *node->add_attribute() = attribute;
  return outputs;
}

const Shape& GraphBuilder::shape(const std::string& value) const {
  const auto found = shapes_.find(value);
  if (found == shapes_.end()) fail("ONNX graph: no value '{}'", value);
  return found->second;
}

}  // namespace faceage::onnx_export
