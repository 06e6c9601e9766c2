#pragma once
// The ResNet family with torchvision's / timm's state-dict names (conv1, bn1,
// layerN.M.{convK,bnK,se.fc1,se.fc2,downsample.0,downsample.1}, fc), so ImageNet weights
// load by name:
//   ResNet-18/34/50            torchvision resnet18/34/50
//   SE-ResNeXt-50 (32x4d)      timm seresnext50_32x4d (grouped 3x3, SE after bn3)
// The 1000-way classifier is replaced by the age head; multi-task heads per paper §4.6
// read layer2's output.
#include <vector>

#include "faceage/nn/age_net.h"
#include "faceage/nn/onednn_trunk_host.h"
#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::nn {

enum class BlockKind { kBasic, kBottleneck };

struct ResNetShape {
  BlockKind block;
  std::vector<int64_t> blocks_per_layer;  // four entries
  int64_t groups = 1;                     // ResNeXt cardinality (bottleneck only)
  int64_t width_per_group = 64;           // 4 for 32x4d: bottleneck width = planes * 2
  bool squeeze_excitation = false;        // SE gate after bn3 (bottleneck only)
};

ResNetShape resnet18_shape();
ResNetShape resnet34_shape();
ResNetShape resnet50_shape();
ResNetShape seresnext50_32x4d_shape();

class ResNet : public AgeNet, public OneDnnTrunkHost {
 public:
  ResNet(const AgeNetOptions& options, const ResNetShape& shape);
  AgeNetOutput forward(torch::Tensor images) override;


 protected:
  TrunkDescription trunk_description() const override;

 private:
  torch::nn::Sequential make_layer(const ResNetShape& shape, int64_t planes, int64_t blocks,
                                   int64_t stride);

  int64_t inplanes_ = 64;
  torch::nn::Conv2d conv1_{nullptr};
  SyncableBatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::nn::Linear gender_fc_{nullptr}, ethnicity_fc_{nullptr};
};

}  // namespace faceage::nn
