// The factory and the shapes every backbone promises: a 101-way age head on any input of
// at least 64 px, the multi-task heads of paper §4.6, and torchvision's / timm's sizes.
#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/weights.h"

namespace faceage {
namespace {

std::shared_ptr<AgeNet> make(const std::string& architecture, bool multitask = false) {
  AgeNetOptions options;
  options.architecture = architecture;
  options.multitask = multitask;
  return make_age_net(options);
}

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

std::vector<int64_t> shape_of(const torch::nn::Module& module, const std::string& key) {
  return nn::state_dict(module).at(key).sizes().vec();
}

TEST(AgeNetFactory, ListsEveryBackbone) {
  EXPECT_EQ(architectures(), (std::vector<std::string>{"face_resnet29", "resnet18", "resnet34", "resnet50",
                                                        "seresnext50_32x4d", "vgg16_bn"}));
}

TEST(AgeNetFactory, UnknownNameListsTheKnownOnes) {
  try {
    make("resnet51");
    FAIL() << "no error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'resnet51'"), std::string::npos) << message;
    EXPECT_NE(message.find("seresnext50_32x4d"), std::string::npos) << message;
  }
}

// Published sizes with a 1000-way head (torchvision's docs; timm's for SE-ResNeXt), less
// that head, plus the 101-way age head: catches a wrong width, group count or SE size.
TEST(AgeNetShapes, ParameterCountsMatchThePublishedModels) {
  const auto with_age_head = [](int64_t imagenet_total, int64_t features) {
    return imagenet_total - (features * 1000 + 1000) + (features * kNumAges + kNumAges);
  };
  EXPECT_EQ(parameter_count(*make("resnet18")), with_age_head(11689512, 512));
  EXPECT_EQ(parameter_count(*make("resnet34")), with_age_head(21797672, 512));
  EXPECT_EQ(parameter_count(*make("resnet50")), with_age_head(25557032, 2048));
  EXPECT_EQ(parameter_count(*make("seresnext50_32x4d")), with_age_head(27559896, 2048));
  EXPECT_EQ(parameter_count(*make("vgg16_bn")), with_age_head(138365992, 4096));
}

// The 2055-wide age FC of paper §4.6 (2048 + 2 + 5), and the heads' input widths.
TEST(AgeNetShapes, MultitaskHeadWidths) {
  struct Expected {
    std::string architecture, age_fc;
    int64_t age_inputs, middle_channels;
  };
  for (const Expected& e : {Expected{"resnet18", "fc", 519, 128},
                            Expected{"resnet50", "fc", 2055, 512},
                            Expected{"seresnext50_32x4d", "fc", 2055, 512}}) {
    const auto net = make(e.architecture, /*multitask=*/true);
    EXPECT_EQ(shape_of(*net, e.age_fc + ".weight"),
              (std::vector<int64_t>{kNumAges, e.age_inputs}))
        << e.architecture;
    EXPECT_EQ(shape_of(*net, "gender_fc.weight"), (std::vector<int64_t>{2, e.middle_channels}))
        << e.architecture;
    EXPECT_EQ(shape_of(*net, "ethnicity_fc.weight"), (std::vector<int64_t>{5, e.middle_channels}))
        << e.architecture;
  }
}

class EveryBackbone : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryBackbone, MultitaskForwardReturnsAllThreeHeads) {
  const auto net = make(GetParam(), /*multitask=*/true);
  net->eval();
  torch::NoGradGuard no_grad;
  const AgeNetOutput output = net->forward(torch::randn({3, 3, 64, 72}));
  EXPECT_EQ(output.age_logits.sizes(), (std::vector<int64_t>{3, kNumAges}));
  EXPECT_EQ(output.gender_logits.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(output.ethnicity_logits.sizes(), (std::vector<int64_t>{3, 5}));
  EXPECT_TRUE(torch::isfinite(output.age_logits).all().item<bool>());
}

TEST_P(EveryBackbone, SingleTaskHasOnlyTheAgeHead) {
  const auto net = make(GetParam());
  EXPECT_EQ(nn::state_dict(*net).count("gender_fc.weight"), 0u);
  net->eval();
  torch::NoGradGuard no_grad;
  const AgeNetOutput output = net->forward(torch::randn({1, 3, 100, 64}));
  EXPECT_EQ(output.age_logits.sizes(), (std::vector<int64_t>{1, kNumAges}));
  EXPECT_FALSE(output.gender_logits.defined());
}

INSTANTIATE_TEST_SUITE_P(AllBackbones, EveryBackbone,
                         ::testing::Values("resnet18", "resnet34", "resnet50",
                                           "seresnext50_32x4d", "vgg16_bn"),
                         [](const auto& info) { return info.param; });

TEST(AgeNetShapes, VggMultitaskReadsBlockFour) {
  const auto net = make("vgg16_bn", /*multitask=*/true);
  EXPECT_EQ(shape_of(*net, "classifier.6.weight"), (std::vector<int64_t>{kNumAges, 4103}));
  EXPECT_EQ(shape_of(*net, "gender_fc.weight"), (std::vector<int64_t>{2, 512}));
  // torchvision's indices: conv, bn, relu per layer and a pool after each block.
  EXPECT_EQ(shape_of(*net, "features.30.weight"), (std::vector<int64_t>{512, 512, 3, 3}));
  EXPECT_EQ(shape_of(*net, "features.41.running_var"), (std::vector<int64_t>{512}));
  EXPECT_EQ(shape_of(*net, "classifier.0.weight"), (std::vector<int64_t>{4096, 25088}));
}

}  // namespace
}  // namespace faceage
