// The trunk ResNet and face_resnet29 share (backbone_emitters.h): stem, layers of blocks,
// global average pool; each network's own blocks come from its emitter.
#include "faceage/onnx/backbone_emitters.h"
#include "faceage/onnx/layer_emitters.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {

TrunkValues emit_residual_trunk(GraphBuilder& graph, const torch::nn::Module& network,
                                const std::string& input, const std::vector<std::string>& layers,
                                int64_t stem_pool_padding, BlockEmitter emit_block) {
  std::string x = emit_conv(graph, *child_as<torch::nn::Conv2dImpl>(network, "", "conv1"), "conv1", input);
  x = emit_batch_norm(graph, *child_as<nn::SyncableBatchNorm2dImpl>(network, "", "bn1"), "bn1", x);
  x = emit_max_pool(graph, "maxpool", emit_relu(graph, "relu", x), 3, 2, stem_pool_padding);
  TrunkValues values;
  for (const std::string& layer_name : layers) {
    const auto* layer = child_as<torch::nn::SequentialImpl>(network, "", layer_name);
    for (const auto& block : layer->named_children())
      x = emit_block(graph, *block.value(), join_path(layer_name, block.key()), x);
    if (layer_name == "layer2") values.middle = x;
  }
  values.pooled = emit_flatten(graph, "flatten", emit_global_average_pool(graph, "avgpool", x));
  values.age_fc = child_as<torch::nn::LinearImpl>(network, "", "fc");
  values.age_fc_path = "fc";
  return values;
}

}  // namespace faceage::onnx_export
