// learn/batch_norm_recalibration.h: eval mode is unchanged, and train mode on the batch the
// statistics were measured on computes what eval mode computes (before: something else).
#include <gtest/gtest.h>

#include "faceage/learn/batch_norm_recalibration.h"
#include "faceage/nn/weights.h"
#include "faceage/parallel/sync_batch_norm.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

// Batch norms as plain scales and shifts (running mean 0, variance 1), as the converted
// face network has them.
void make_plain_scales(torch::nn::Module& network) {
  torch::NoGradGuard no_grad;
  for (const auto& module : network.modules())
    if (auto* bn = module->as<nn::SyncableBatchNorm2dImpl>()) {
      bn->weight.uniform_(0.5, 3.0);
      bn->bias.uniform_(-0.5, 0.5);
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0 - bn->eps);
    }
}

class Recalibration : public ::testing::TestWithParam<std::string> {};

TEST_P(Recalibration, KeepsEvalOutputAndMakesTrainModeAgree) {
  torch::manual_seed(3);
  AgeNetOptions options;
  options.architecture = GetParam();
  auto network = make_age_net(options);
  make_plain_scales(*network);
  const int64_t size = std::max<int64_t>(minimum_input_size(options.architecture), 64);
  const torch::Tensor images = torch::randn({16, 3, size, size}) * 0.5 + 0.2;

  torch::NoGradGuard no_grad;
  network->eval();
  const torch::Tensor eval_before = network->forward(images).age_logits;
  auto train_copy = make_age_net(options);
  nn::load_state_dict(*train_copy, nn::state_dict(*network), false);
  train_copy->train();
  const torch::Tensor train_before = train_copy->forward(images).age_logits;

  bool given = false;
  const size_t rewritten = recalibrate_batch_norms(
      *network,
      [&]() -> std::optional<torch::Tensor> {
        if (given) return std::nullopt;
        given = true;
        return images;
      },
      8);
  EXPECT_GT(rewritten, 10u);
  const torch::Tensor eval_after = network->forward(images).age_logits;
  EXPECT_TRUE(tensors_close(eval_after, eval_before, 1e-4));

  network->train();
  const torch::Tensor train_after = network->forward(images).age_logits;
  EXPECT_TRUE(tensors_close(train_after, eval_before, 1e-3));
  // Without the rewrite, train mode is far from the network's function.
  EXPECT_FALSE(tensors_close(train_before, eval_before, 1e-1));
}

INSTANTIATE_TEST_SUITE_P(Backbones, Recalibration,
                         ::testing::Values("face_resnet29", "resnet18"),
                         [](const auto& info) { return info.param; });

TEST(Recalibration, NoImagesLeavesTheNetworkAlone) {
  AgeNetOptions options;
  auto network = make_age_net(options);
  const auto before = nn::state_dict(*network).at("bn1.weight").clone();
  EXPECT_EQ(recalibrate_batch_norms(*network, [] { return std::optional<torch::Tensor>(); }, 4), 0u);
  EXPECT_TRUE(torch::equal(nn::state_dict(*network).at("bn1.weight"), before));
}

}  // namespace
}  // namespace faceage
