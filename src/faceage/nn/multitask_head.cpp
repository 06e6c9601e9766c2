#include "faceage/nn/multitask_head.h"

#include "faceage/nn/layers.h"

namespace faceage::nn {

AgeNetOutput multitask_forward(const torch::Tensor& pooled_features,
                               const torch::Tensor& middle_features, torch::nn::Linear& age_fc,
                               torch::nn::Linear& gender_fc, torch::nn::Linear& ethnicity_fc) {
  AgeNetOutput output;
  if (!gender_fc) {
    output.age_logits = age_fc(pooled_features);
    return output;
  }
  const torch::Tensor middle = dense(torch::adaptive_avg_pool2d(middle_features, {1, 1})).flatten(1);
  output.gender_logits = gender_fc(middle);
  output.ethnicity_logits = ethnicity_fc(middle);
  output.age_logits = age_fc(
      torch::cat({pooled_features, output.gender_logits, output.ethnicity_logits}, 1));
  return output;
}

}  // namespace faceage::nn
