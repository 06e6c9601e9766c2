#pragma once
// ResNet-18/34/50 with torchvision's state-dict names (conv1, bn1, layerN.M.convK,
// layerN.M.downsample.{0,1}, fc) so torchvision's ImageNet weights load by name.
// The 1000-way classifier is replaced by the age head; multi-task heads per paper §4.6.
#include <vector>

#include "faceage/nn/age_net.h"

namespace faceage::nn {

enum class BlockKind { kBasic, kBottleneck };

struct ResNetShape {
  BlockKind block;
  std::vector<int64_t> blocks_per_layer;  // four entries
};

class ResNet : public AgeNet {
 public:
  ResNet(const AgeNetOptions& options, const ResNetShape& shape);
  AgeNetOutput forward(torch::Tensor images) override;

 private:
  torch::nn::Sequential make_layer(BlockKind block, int64_t planes, int64_t blocks,
                                   int64_t stride);

  int64_t inplanes_ = 64;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::nn::Linear gender_fc_{nullptr}, ethnicity_fc_{nullptr};
};

}  // namespace faceage::nn
