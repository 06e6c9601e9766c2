#pragma once
// The backbones as ONNX graphs, one emitter each (resnet_emitter.cpp, face_resnet_emitter.cpp,
// vgg_emitter.cpp). Each walks the network's own modules by their state-dict names and
// mirrors its forward() in eval mode: the functional steps forward() takes between modules
// (ReLUs, pools, residual adds) are written out here, and the parity test
// (tests/onnx/onnx_parity_test.cpp) catches any drift from the LibTorch code.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "faceage/nn/face_resnet.h"
#include "faceage/nn/resnet.h"
#include "faceage/nn/vgg.h"
#include "faceage/onnx/graph_builder.h"

namespace faceage::onnx_export {

// What the heads read (nn/multitask_head.h).
struct TrunkValues {
  std::string pooled;  // [N, features]: the age head's input (before the multi-task logits)
  std::string middle;  // [N, C, H, W]: the multi-task heads' feature map
  const torch::nn::LinearImpl* age_fc = nullptr;  // the age head itself
  std::string age_fc_path;
};

// What ResNet and face_resnet29 share: conv1, bn1, ReLU, a 3x3 max pool with stride 2 and
// `stem_pool_padding`, the `layers` (Sequentials of blocks, each block written by
// `emit_block`), a global average pool and the age head `fc`; middle = layer2's output.
using BlockEmitter = std::string (*)(GraphBuilder& graph, const torch::nn::Module& block,
                                     const std::string& path, const std::string& input);
TrunkValues emit_residual_trunk(GraphBuilder& graph, const torch::nn::Module& network,
                                const std::string& input, const std::vector<std::string>& layers,
                                int64_t stem_pool_padding, BlockEmitter emit_block);

// ResNet-18/34/50 and SE-ResNeXt-50 (nn/resnet.h); middle = layer2's output.
TrunkValues emit_resnet_trunk(GraphBuilder& graph, const nn::ResNet& network,
                              const std::string& input);
// face_resnet29 (nn/face_resnet.h); middle = layer2's output.
TrunkValues emit_face_resnet_trunk(GraphBuilder& graph, const nn::FaceResNet& network,
                                   const std::string& input);
// VGG16-BN (nn/vgg.h); middle = block 4's last ReLU, pooled = classifier.0-5's output.
TrunkValues emit_vgg_trunk(GraphBuilder& graph, const nn::Vgg& network, const std::string& input);

}  // namespace faceage::onnx_export
