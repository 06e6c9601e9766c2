// Test-time flip averaging: the averaged output is the mean of the two distributions, a
// mirror-symmetric face predicts as it did without averaging, and missing heads stay missing.
#include <gtest/gtest.h>

#include "faceage/nn/age_net.h"
#include "faceage/nn/flip_average.h"

namespace faceage {
namespace {

std::shared_ptr<AgeNet> small_net(bool multitask) {
  torch::manual_seed(3);
  AgeNetOptions options;
  options.architecture = "resnet18";
  options.multitask = multitask;
  auto network = make_age_net(options);
  network->eval();
  return network;
}

TEST(FlipAverage, GivesTheMeanOfTheImageAndMirrorDistributions) {
  torch::NoGradGuard no_grad;
  auto network = small_net(true);
  const torch::Tensor images = torch::randn({3, 3, 64, 64});
  const AgeNetOutput plain = network->forward(images);
  const AgeNetOutput mirrored = network->forward(images.flip({3}));
  const AgeNetOutput averaged = forward_for_inference(*network, images, true);
  const auto mean_of = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (torch::softmax(a, 1) + torch::softmax(b, 1)) / 2;
  };
  EXPECT_TRUE(torch::allclose(torch::softmax(averaged.age_logits, 1),
                              mean_of(plain.age_logits, mirrored.age_logits), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(torch::softmax(averaged.gender_logits, 1),
                              mean_of(plain.gender_logits, mirrored.gender_logits), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(torch::softmax(averaged.ethnicity_logits, 1),
                              mean_of(plain.ethnicity_logits, mirrored.ethnicity_logits), 1e-5, 1e-6));
  // The mirror really changes the prediction of a random image, so the test can fail.
  EXPECT_FALSE(torch::allclose(torch::softmax(plain.age_logits, 1),
                               torch::softmax(averaged.age_logits, 1), 1e-5, 1e-7));
}

TEST(FlipAverage, AMirrorSymmetricImagePredictsAsWithoutAveraging) {
  torch::NoGradGuard no_grad;
  auto network = small_net(false);
  const torch::Tensor half = torch::randn({2, 3, 64, 32});
  const torch::Tensor symmetric = torch::cat({half, half.flip({3})}, 3);
  const AgeNetOutput plain = network->forward(symmetric);
  const AgeNetOutput averaged = forward_for_inference(*network, symmetric, true);
  EXPECT_TRUE(torch::allclose(torch::softmax(plain.age_logits, 1),
                              torch::softmax(averaged.age_logits, 1), 1e-5, 1e-6));
  EXPECT_FALSE(averaged.gender_logits.defined());
  EXPECT_FALSE(averaged.ethnicity_logits.defined());
}

TEST(FlipAverage, OffIsThePlainForward) {
  torch::NoGradGuard no_grad;
  auto network = small_net(false);
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  EXPECT_TRUE(torch::equal(network->forward(images).age_logits,
                           forward_for_inference(*network, images, false).age_logits));
}

}  // namespace
}  // namespace faceage
