#pragma once
// An ONNX graph under construction: nodes with unique, readable value names (a layer's
// output is named after its module path, e.g. "layer1.0.conv1"), initializers taken from
// LibTorch tensors under their state-dict names, and the static shape of every value.
// The batch axis is dynamic; every other size follows from the model's fixed input size,
// and the emitters need those sizes where ONNX has no operator that adapts to its input
// (face_resnet29's zero padding, VGG's adaptive pooling).
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

namespace faceage::onnx_export {

// The batch axis in a Shape: written as the symbolic dimension "N".
inline constexpr int64_t kBatch = -1;
using Shape = std::vector<int64_t>;

// The opset every node is written for: ONNX 1.12 (Debian 12's libonnx) knows up to 17.
inline constexpr int64_t kOpsetVersion = 17;

::onnx::AttributeProto int_attribute(const std::string& name, int64_t value);
::onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<int64_t>& values);
::onnx::AttributeProto float_attribute(const std::string& name, float value);

class GraphBuilder {
 public:
  explicit GraphBuilder(::onnx::GraphProto& graph) : graph_(graph) {}

  // A float graph input of the given shape; returns its value name.
  std::string add_input(const std::string& name, const Shape& shape, const std::string& doc);
  // Makes `value` a graph output called `name` (renaming the value where it is produced
  // and used, so no Identity node is needed).
  void add_output(const std::string& value, const std::string& name, const std::string& doc);

  // A float initializer holding the tensor's values (any float dtype, any device);
  // `name` is kept as is (state-dict names are unique), so it must be new.
  std::string add_initializer(const std::string& name, const torch::Tensor& tensor);
  std::string add_int64_initializer(const std::string& name, const std::vector<int64_t>& values);
  std::string add_scalar_initializer(const std::string& name, float value);

  // One node with one output of `shape`; the output's name is `name` made unique.
  std::string add_node(const std::string& op_type, const std::string& name,
                       const std::vector<std::string>& inputs, const Shape& shape,
                       const std::vector<::onnx::AttributeProto>& attributes = {});
  // One node with several outputs of the given shapes, named name:0, name:1, ...
  std::vector<std::string> add_multi_output_node(const std::string& op_type, const std::string& name,
                                                 const std::vector<std::string>& inputs,
                                                 const std::vector<Shape>& shapes,
                                                 const std::vector<::onnx::AttributeProto>& attributes = {});

  // The static shape of a value made by this builder (kBatch on the batch axis).
  const Shape& shape(const std::string& value) const;

 private:
  std::string unique_name(const std::string& wanted);
  void fill_value_info(::onnx::ValueInfoProto& info, const std::string& name, const Shape& shape,
                       const std::string& doc) const;

  ::onnx::GraphProto& graph_;
  std::set<std::string> names_;
  std::map<std::string, Shape> shapes_;
};

}  // namespace faceage::onnx_export
