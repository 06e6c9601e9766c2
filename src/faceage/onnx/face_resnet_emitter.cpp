// FaceResNet::forward in ONNX (nn/face_resnet.h): conv1, bn1, ReLU, 3x3 max pool
// (stride 2, unpadded), layer1-5 of residual and down blocks, global average pool.
#include "faceage/core/error.h"
#include "faceage/onnx/backbone_emitters.h"
#include "faceage/onnx/layer_emitters.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {
namespace {

// bn2(conv2(relu(bn1(conv1(x))))): the residual branch both block kinds share.
std::string emit_branch(GraphBuilder& graph, const torch::nn::Module& block,
                        const std::string& path, const std::string& input) {
  check_known_children(block, path, {"conv1", "bn1", "conv2", "bn2"});
  std::string x = emit_conv(graph, *child_as<torch::nn::Conv2dImpl>(block, path, "conv1"),
                            join_path(path, "conv1"), input);
  x = emit_batch_norm(graph, *child_as<nn::SyncableBatchNorm2dImpl>(block, path, "bn1"),
                      join_path(path, "bn1"), x);
  x = emit_conv(graph, *child_as<torch::nn::Conv2dImpl>(block, path, "conv2"),
                join_path(path, "conv2"), emit_relu(graph, path + ".relu1", x));
  return emit_batch_norm(graph, *child_as<nn::SyncableBatchNorm2dImpl>(block, path, "bn2"),
                         join_path(path, "bn2"), x);
}

// A down block (its conv1 has stride 2): the shortcut is a 2x2 average pool of x with
// zero channels appended, and the branch grows by zero rows and columns at the bottom and
// right to the pool's size, as FaceDownBlock::forward does.
std::string emit_down_block(GraphBuilder& graph, const torch::nn::Module& block,
                            const std::string& path, const std::string& input) {
  std::string out = emit_branch(graph, block, path, input);
  std::string shortcut = emit_average_pool(graph, path + ".shortcut", input, 2, 2);
  const Shape out_shape = graph.shape(out), shortcut_shape = graph.shape(shortcut);
  shortcut = emit_zero_pad(graph, path + ".shortcut_channels", shortcut,
                           std::max<int64_t>(0, out_shape[1] - shortcut_shape[1]), 0, 0);
  out = emit_zero_pad(graph, path + ".pad", out, 0,
                      std::max<int64_t>(0, shortcut_shape[2] - out_shape[2]),
                      std::max<int64_t>(0, shortcut_shape[3] - out_shape[3]));
  return emit_relu(graph, path + ".relu", emit_add(graph, path + ".add", out, shortcut));
}

std::string emit_block(GraphBuilder& graph, const torch::nn::Module& block,
                       const std::string& path, const std::string& input) {
  const auto* conv1 = child_as<torch::nn::Conv2dImpl>(block, path, "conv1");
  if ((*conv1->options.stride())[0] == 2) return emit_down_block(graph, block, path, input);
  const std::string out = emit_branch(graph, block, path, input);
  return emit_relu(graph, path + ".relu", emit_add(graph, path + ".add", out, input));
}

}  // namespace

TrunkValues emit_face_resnet_trunk(GraphBuilder& graph, const nn::FaceResNet& network,
                                   const std::string& input) {
  check_known_children(network, "", {"conv1", "bn1", "layer1", "layer2", "layer3", "layer4",
                                     "layer5", "fc", "gender_fc", "ethnicity_fc"});
  return emit_residual_trunk(graph, network, input,
                             {"layer1", "layer2", "layer3", "layer4", "layer5"},
                             /*stem_pool_padding=*/0, emit_block);
}

}  // namespace faceage::onnx_export
