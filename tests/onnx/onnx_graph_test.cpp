// What the exported ONNX model holds, read back with ONNX's own classes (no runtime needed):
// opset, the dynamic batch axis, the documented outputs, the preprocessing record, every
// weight under its state-dict name with its exact values, one node per layer, no
// transposes; every architecture faceage builds has an emitter.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "faceage/nn/age_net.h"
#include "faceage/nn/weights.h"
#include "faceage/onnx/network_emitter.h"
#include "faceage/onnx/onnx_model.h"
#include "faceage/parallel/sync_batch_norm.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string default_model_path() {
  return faceage::testing::source_dir() + "/models/default-age-model.safetensors";
}

std::map<std::string, std::string> metadata(const ::onnx::ModelProto& model) {
  std::map<std::string, std::string> entries;
  for (const auto& entry : model.metadata_props()) entries[entry.key()] = entry.value();
  return entries;
}

std::map<std::string, int> node_counts(const ::onnx::ModelProto& model) {
  std::map<std::string, int> counts;
  for (const auto& node : model.graph().node()) ++counts[node.op_type()];
  return counts;
}

template <typename T>
int module_count(const torch::nn::Module& network) {
  int count = 0;
  for (const auto& module : network.modules(/*include_self=*/false)) count += module->as<T>() ? 1 : 0;
  return count;
}

TEST(OnnxGraph, DefaultModelHasTheDocumentedInterfaceAndMetadata) {
  const LoadedModel model = load_model(default_model_path());
  const ::onnx::ModelProto proto = onnx_export::build_onnx_model(model, default_model_path());
  EXPECT_EQ(proto.producer_name(), "faceage");
  ASSERT_EQ(proto.opset_import_size(), 1);
  EXPECT_EQ(proto.opset_import(0).version(), 17);

  const ::onnx::GraphProto& graph = proto.graph();
  ASSERT_EQ(graph.input_size(), 1);
  EXPECT_EQ(graph.input(0).name(), "input");
  const auto& dims = graph.input(0).type().tensor_type().shape().dim();
  ASSERT_EQ(dims.size(), 4);
  EXPECT_EQ(dims[0].dim_param(), "N");
  EXPECT_EQ(dims[1].dim_value(), 3);
  EXPECT_EQ(dims[2].dim_value(), model.spec.preprocessing.input_size);
  EXPECT_EQ(dims[3].dim_value(), model.spec.preprocessing.input_size);
  std::vector<std::string> outputs;
  for (const auto& output : graph.output()) outputs.push_back(output.name());
  EXPECT_EQ(outputs, (std::vector<std::string>{"age_logits", "age_probabilities", "age",
                                               "gender_logits", "ethnicity_logits"}));

  const auto entries = metadata(proto);
  EXPECT_EQ(nlohmann::json::parse(entries.at("faceage.model")), to_json(model.spec));
  EXPECT_EQ(entries.at("input_size"), std::to_string(model.spec.preprocessing.input_size));
  EXPECT_EQ(entries.at("input_layout"), "NCHW");
  EXPECT_EQ(entries.at("color_order"), model.spec.preprocessing.color_order);
  EXPECT_EQ(nlohmann::json::parse(entries.at("mean")), nlohmann::json(model.spec.preprocessing.mean));
  EXPECT_EQ(nlohmann::json::parse(entries.at("std")), nlohmann::json(model.spec.preprocessing.std));
  EXPECT_EQ(entries.at("value_scale"), "1/255");
  EXPECT_EQ(entries.at("align"), "true");
  EXPECT_EQ(std::stod(entries.at("margin")), model.spec.preprocessing.margin);
  EXPECT_EQ(entries.at("flip_average"), "true");  // the model's own setting
  EXPECT_EQ(entries.at("age_output"), "expectation");
  EXPECT_NE(entries.at("face_crop").find("margin"), std::string::npos);
}

TEST(OnnxGraph, EveryWeightIsAnInitializerUnderItsStateDictName) {
  const LoadedModel model = load_model(default_model_path());
  const ::onnx::ModelProto proto = onnx_export::build_onnx_model(model, "default model");
  std::map<std::string, const ::onnx::TensorProto*> initializers;
  for (const auto& tensor : proto.graph().initializer()) initializers[tensor.name()] = &tensor;
  int compared = 0;
  for (const auto& [name, tensor] : nn::state_dict(*model.network)) {
    if (name.find("num_batches_tracked") != std::string::npos) continue;  // training only
    ASSERT_TRUE(initializers.count(name)) << name;
    const ::onnx::TensorProto& proto_tensor = *initializers.at(name);
    EXPECT_EQ(std::vector<int64_t>(proto_tensor.dims().begin(), proto_tensor.dims().end()),
              tensor.sizes().vec()) << name;
    const torch::Tensor values = tensor.to(torch::kFloat).contiguous();
    ASSERT_EQ(proto_tensor.raw_data().size(), values.numel() * sizeof(float)) << name;
    EXPECT_EQ(std::memcmp(proto_tensor.raw_data().data(), values.data_ptr<float>(),
                          proto_tensor.raw_data().size()), 0) << name;
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

TEST(OnnxGraph, OneNodePerLayerAndNoTransposes) {
  const LoadedModel model = load_model(default_model_path());
  const auto with_flip = node_counts(onnx_export::build_onnx_model(model, "default"));
  const auto without_flip =
      node_counts(onnx_export::build_onnx_model(model, "default", {/*flip_average=*/false}));
  const torch::nn::Module& network = *model.network;
  for (const auto* counts : {&with_flip, &without_flip}) {
    EXPECT_EQ(counts->count("Transpose"), 0u);
    EXPECT_EQ(counts->at("Conv"), module_count<torch::nn::Conv2dImpl>(network));
    EXPECT_EQ(counts->at("BatchNormalization"), module_count<nn::SyncableBatchNorm2dImpl>(network));
    EXPECT_EQ(counts->at("Gemm"), module_count<torch::nn::LinearImpl>(network));
  }
  // The mirror image: one Slice, one Concat for the batch, one Split per head.
  EXPECT_EQ(with_flip.at("Slice"), 1);
  EXPECT_EQ(with_flip.at("Split"), 3);
  EXPECT_EQ(without_flip.count("Slice"), 0u);
  EXPECT_EQ(without_flip.count("Split"), 0u);
}

TEST(OnnxGraph, EveryArchitectureFaceageBuildsHasAnEmitter) {
  std::vector<std::string> built = architectures(), exported = onnx_export::onnx_architectures();
  std::sort(built.begin(), built.end());
  std::sort(exported.begin(), exported.end());
  EXPECT_EQ(exported, built);
}

}  // namespace
}  // namespace faceage
