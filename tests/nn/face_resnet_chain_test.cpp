// face_resnet29 on the fused oneDNN trunk (nn/onednn_trunk.h) against its plain LibTorch
// forward: the age logits and ages, the pooled features and layer2's pooled output, on
// odd sides (the down blocks' branch and shortcut agree) and even ones (the branch is a
// row and column short of the shortcut), at batch 1 and 3.
#include <gtest/gtest.h>

#include "faceage/nn/face_resnet.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"
#include "faceage/nn/onednn_trunk.h"
#include "faceage/nn/weights.h"
#include "nn_test_support.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

constexpr int64_t kMiddleChannels = 64;  // layer2's output

// A random face_resnet29 whose gender head is the identity on layer2's 64 pooled
// channels, so its logits are the middle features themselves; batch norms away from
// their unit/zero start, so that folding them changes the weights.
std::shared_ptr<nn::FaceResNet> make_network() {
  torch::manual_seed(23);
  AgeNetOptions options;
  options.architecture = "face_resnet29";
  options.multitask = true;
  options.num_genders = kMiddleChannels;
  auto network = std::dynamic_pointer_cast<nn::FaceResNet>(make_age_net(options));
  faceage::testing::randomize_batch_norms(*network);
  torch::NoGradGuard no_grad;
  for (auto& parameter : network->named_parameters()) {
    if (parameter.key() == "gender_fc.weight") parameter.value().copy_(torch::eye(kMiddleChannels));
    if (parameter.key() == "gender_fc.bias") parameter.value().zero_();
  }
  network->eval();
  return network;
}

torch::Tensor expected_ages(const torch::Tensor& logits) {
  return (torch::softmax(logits, 1) * torch::arange(logits.size(1), torch::kFloat)).sum(1);
}

TEST(FaceResNetChain, MatchesThePlainNetworkOnOddAndEvenSides) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  auto reference = make_network();
  auto fused = make_network();
  const InferencePlan plan =
      inference_plan_from_names("onednn", "float32", "face_resnet29", torch::kCPU, 1);
  optimize_for_inference(*fused, plan);
  torch::NoGradGuard no_grad;
  // The sides the down blocks of layer2..layer5 take: 150 px 35, 17, 8, 4 (the shipped
  // size); 112 px 26, 13, 6, 3; 151 px 36, 18, 9, 4; 131 px all odd (31, 15, 7, 3); 135 px
  // all even (32, 16, 8, 4); and a picture with one side of each kind.
  for (const auto& [height, width] : std::vector<std::pair<int64_t, int64_t>>{
           {150, 150}, {112, 112}, {151, 151}, {131, 131}, {135, 135}, {150, 131}}) {
    for (const int64_t batch : {int64_t{1}, int64_t{3}}) {
      const torch::Tensor images = torch::randn({batch, 3, height, width});
      const AgeNetOutput expected = reference->forward(images);
      const AgeNetOutput actual = forward_for_inference(*fused, images, false);
      const std::string where = std::to_string(batch) + " x " + std::to_string(height) + " x " +
                                std::to_string(width);
      EXPECT_TRUE(tensors_close(actual.age_logits, expected.age_logits, 1e-4)) << where;
      EXPECT_TRUE(tensors_close(expected_ages(actual.age_logits),
                                expected_ages(expected.age_logits), 1e-4))
          << where;
      EXPECT_TRUE(tensors_close(actual.gender_logits, expected.gender_logits, 1e-4))
          << "layer2's features, " << where;
      EXPECT_TRUE(tensors_close(actual.ethnicity_logits, expected.ethnicity_logits, 1e-4)) << where;
      EXPECT_TRUE(tensors_close(fused->features(images), reference->features(images), 1e-4))
          << where;
    }
  }
}

TEST(FaceResNetChain, IsTheAutoPlanAndInferenceOnly) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  EXPECT_EQ(choose_inference_plan("face_resnet29", torch::kCPU, 1).layout, TensorLayout::kOneDnn);
  EXPECT_EQ(choose_inference_plan("face_resnet29", torch::kCPU, 32).layout, TensorLayout::kOneDnn);
  auto fused = make_network();
  optimize_for_inference(*fused, choose_inference_plan("face_resnet29", torch::kCPU, 1));
  fused->train();
  EXPECT_ANY_THROW(fused->forward(torch::randn({1, 3, 150, 150})));
}

}  // namespace
}  // namespace faceage
