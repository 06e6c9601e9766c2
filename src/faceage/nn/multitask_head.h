#pragma once
// The head every backbone shares (paper §4.6): without multi-task, age = fc(pooled).
// With it, the middle feature map (ResNet's layer2 output; VGG's block 4, see vgg.h) is
// globally average-pooled into a gender FC and an ethnicity FC, whose logits are
// concatenated with the pooled final features before the age FC (2048 + 2 + 5 = 2055
// inputs for ResNet-50 width).
#include "faceage/nn/age_net.h"

namespace faceage::nn {

AgeNetOutput multitask_forward(const torch::Tensor& pooled_features,
                               const torch::Tensor& middle_features, torch::nn::Linear& age_fc,
                               torch::nn::Linear& gender_fc, torch::nn::Linear& ethnicity_fc);

}  // namespace faceage::nn
