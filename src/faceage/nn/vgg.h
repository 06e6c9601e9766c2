#pragma once
// VGG-16 with batch normalisation (paper §3.3) under torchvision's vgg16_bn state-dict
// names: features.N with torchvision's indices (conv, bn, relu per layer; a max pool after
// each block), avgpool to 7x7, classifier.{0,3,6} Linear with ReLU + Dropout between.
// classifier.6 becomes the age head.
//
// Multi-task (paper §4.6): the gender and ethnicity heads read the output of block 4
// (features.32, the last ReLU before the fourth max pool). That is the point analogous to
// ResNet's layer2: stride 8 (28x28 at 224 px) and 512 channels, the width the paper's
// 512-dimension middle vector has. The age FC then takes 4096 + 2 + 5 = 4103 inputs.
#include <vector>

#include "faceage/nn/age_net.h"

namespace faceage::nn {

class Vgg : public AgeNet {
 public:
  static constexpr int64_t kMaxPool = 0;  // in `config`: a 2x2 max pool, else conv width

  Vgg(const AgeNetOptions& options, const std::vector<int64_t>& config);
  AgeNetOutput forward(torch::Tensor images) override;

 private:
  torch::nn::Sequential features_{nullptr}, classifier_{nullptr};
  torch::nn::Linear age_fc_{nullptr};  // classifier.6
  torch::nn::Linear gender_fc_{nullptr}, ethnicity_fc_{nullptr};
  size_t middle_index_ = 0;  // features index whose output feeds the multi-task heads
};

// torchvision's configuration "D": 13 convolutions in 5 blocks.
const std::vector<int64_t>& vgg16_config();

}  // namespace faceage::nn
