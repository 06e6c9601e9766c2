// ResNet::forward in ONNX: conv1, bn1, ReLU, 3x3 max pool (stride 2, padding 1), four
// layers of basic or bottleneck blocks, global average pool.
#include "faceage/core/error.h"
#include "faceage/onnx/backbone_emitters.h"
#include "faceage/onnx/layer_emitters.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {
namespace {

// BasicBlock and Bottleneck (with its optional SE gate) alike:
// relu(bn2(conv2(relu(bn1(conv1(x))))) [-> relu -> bn3(conv3) -> se] + shortcut(x)).
std::string emit_block(GraphBuilder& graph, const torch::nn::Module& block,
                       const std::string& path, const std::string& input) {
  check_known_children(block, path, {"conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "se", "downsample"});
  const auto conv = [&](const char* name, const std::string& x) {
    return emit_conv(graph, *child_as<torch::nn::Conv2dImpl>(block, path, name),
                     join_path(path, name), x);
  };
  const auto bn = [&](const char* name, const std::string& x) {
    return emit_batch_norm(graph, *child_as<nn::SyncableBatchNorm2dImpl>(block, path, name),
                           join_path(path, name), x);
  };
  std::string out = emit_relu(graph, path + ".relu1", bn("bn1", conv("conv1", input)));
  out = bn("bn2", conv("conv2", out));
  if (find_child(block, "conv3")) {  // bottleneck
    out = bn("bn3", conv("conv3", emit_relu(graph, path + ".relu2", out)));
    if (const auto* se = child_as<nn::SqueezeExcitationImpl>(block, path, "se", /*optional=*/true))
      out = emit_squeeze_excitation(graph, *se, join_path(path, "se"), out);
  } else if (find_child(block, "se")) {
    fail("unsupported layer '{}.se': a squeeze-excitation gate in a basic block", path);
  }
  std::string shortcut = input;
  if (const auto downsample = find_child(block, "downsample"))
    shortcut = emit_module(graph, *downsample, join_path(path, "downsample"), input);
  return emit_relu(graph, path + ".relu", emit_add(graph, path + ".add", out, shortcut));
}

}  // namespace

TrunkValues emit_resnet_trunk(GraphBuilder& graph, const nn::ResNet& network,
                              const std::string& input) {
  check_known_children(network, "", {"conv1", "bn1", "layer1", "layer2", "layer3", "layer4", "fc",
                                     "gender_fc", "ethnicity_fc"});
  return emit_residual_trunk(graph, network, input, {"layer1", "layer2", "layer3", "layer4"},
                             /*stem_pool_padding=*/1, emit_block);
}

}  // namespace faceage::onnx_export
