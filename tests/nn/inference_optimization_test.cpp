// The optimised inference paths (nn/inference_optimization.h) against the plain network
// they come from: every architecture and layout gives the same logits on every head, to
// float rounding; bfloat16 stays close; the trained weights stay as they were.
#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"
#include "faceage/nn/onednn_trunk.h"
#include "faceage/parallel/sync_batch_norm.h"
#include "faceage/nn/weights.h"
#include "nn_test_support.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

// Two copies of one random network: the reference and the one to optimise.
std::pair<std::shared_ptr<AgeNet>, std::shared_ptr<AgeNet>> twin_networks(
    const std::string& architecture, bool multitask = true) {
  torch::manual_seed(11);
  AgeNetOptions options;
  options.architecture = architecture;
  options.multitask = multitask;
  auto reference = make_age_net(options);
  faceage::testing::randomize_batch_norms(*reference);
  reference->eval();
  auto copy = make_age_net(options);
  nn::load_state_dict(*copy, nn::state_dict(*reference), /*allow_partial=*/false);
  return {reference, copy};
}

struct PlanCase {
  std::string architecture;
  std::string layout;  // as inference_plan_from_names takes it
};

void PrintTo(const PlanCase& c, std::ostream* out) { *out << c.architecture << " " << c.layout; }

class OptimizedInference : public ::testing::TestWithParam<PlanCase> {};

TEST_P(OptimizedInference, EveryHeadMatchesThePlainNetwork) {
  const PlanCase& c = GetParam();
  if (c.layout == "onednn" && !nn::OneDnnTrunk::available())
    GTEST_SKIP() << "built without libdnnl-dev";
  auto [reference, optimized] = twin_networks(c.architecture);
  const InferencePlan plan =
      inference_plan_from_names(c.layout, "float32", c.architecture, torch::kCPU, 3);
  optimize_for_inference(*optimized, plan);
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({3, 3, 64, 64});
  const AgeNetOutput expected = reference->forward(images);
  const AgeNetOutput actual = forward_for_inference(*optimized, images, false);
  EXPECT_TRUE(tensors_close(actual.age_logits, expected.age_logits, 1e-4)) << describe(plan);
  EXPECT_TRUE(tensors_close(actual.gender_logits, expected.gender_logits, 1e-4));
  EXPECT_TRUE(tensors_close(actual.ethnicity_logits, expected.ethnicity_logits, 1e-4));
  EXPECT_EQ(actual.age_logits.scalar_type(), torch::kFloat);
  EXPECT_TRUE(actual.age_logits.is_contiguous());
}

INSTANTIATE_TEST_SUITE_P(
    ArchitecturesAndLayouts, OptimizedInference,
    ::testing::Values(PlanCase{"resnet18", "mkldnn"}, PlanCase{"resnet18", "channels-last"},
                      PlanCase{"resnet50", "mkldnn"}, PlanCase{"seresnext50_32x4d", "mkldnn"},
                      PlanCase{"seresnext50_32x4d", "channels-last"},
                      PlanCase{"vgg16_bn", "mkldnn"}, PlanCase{"vgg16_bn", "channels-last"},
                      PlanCase{"resnet18", "onednn"}, PlanCase{"resnet50", "onednn"},
                      PlanCase{"seresnext50_32x4d", "onednn"}),
    [](const auto& info) {
      std::string name = info.param.architecture + "_" + info.param.layout;
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

// The fused chain is built per input shape and cached: changing batch size and picture
// size, and coming back to an earlier one, must each give the plain network's answer.
// Without the side heads the chain skips layer 2's pooled copy.
TEST(OneDnnTrunk, EveryInputShapeGetsItsOwnChain) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  for (const bool multitask : {false, true}) {
    auto [reference, optimized] = twin_networks("seresnext50_32x4d", multitask);
    optimize_for_inference(*optimized, inference_plan_from_names("onednn", "float32",
                                                                 "seresnext50_32x4d",
                                                                 torch::kCPU, 1));
    torch::NoGradGuard no_grad;
    for (const auto& shape : std::vector<std::vector<int64_t>>{
             {1, 3, 64, 64}, {2, 3, 80, 96}, {1, 3, 64, 64}, {5, 3, 65, 71}}) {
      const torch::Tensor images = torch::randn(shape);
      const AgeNetOutput expected = reference->forward(images);
      const AgeNetOutput actual = forward_for_inference(*optimized, images, false);
      EXPECT_TRUE(tensors_close(actual.age_logits, expected.age_logits, 1e-4))
          << c10::IntArrayRef(shape) << " multitask " << multitask;
      EXPECT_EQ(actual.gender_logits.defined(), multitask);
      if (multitask) EXPECT_TRUE(tensors_close(actual.gender_logits, expected.gender_logits, 1e-4));
    }
  }
}

TEST(OneDnnTrunk, RefusesNetworksItCannotRun) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  EXPECT_THROW(inference_plan_from_names("onednn", "float32", "vgg16_bn", torch::kCPU, 1), Error);
  const torch::Device gpu("cuda:0");
  EXPECT_THROW(inference_plan_from_names("onednn", "float32", "resnet18", gpu, 1), Error);
  // A plan that does not fold the batch norms cannot use the chain.
  auto [reference, optimized] = twin_networks("resnet18");
  EXPECT_THROW(optimize_for_inference(*optimized, {false, TensorLayout::kOneDnn}), Error);
}

TEST(OptimizedInference, FlipAveragingWorksThroughThePlan) {
  auto [reference, optimized] = twin_networks("resnet18");
  optimize_for_inference(*optimized, choose_inference_plan("resnet18", torch::kCPU, 4));
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  EXPECT_TRUE(tensors_close(forward_for_inference(*optimized, images, true).age_logits,
                            forward_for_inference(*reference, images, true).age_logits, 1e-4));
}

TEST(OptimizedInference, BFloat16StaysCloseAndReturnsFloatLogits) {
  auto [reference, optimized] = twin_networks("resnet18");
  optimize_for_inference(*optimized,
                         inference_plan_from_names("mkldnn", "bfloat16", "resnet18", torch::kCPU, 4));
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({4, 3, 64, 64});
  const torch::Tensor expected = torch::softmax(reference->forward(images).age_logits, 1);
  const torch::Tensor actual =
      torch::softmax(forward_for_inference(*optimized, images, false).age_logits, 1);
  EXPECT_EQ(actual.scalar_type(), torch::kFloat);
  // bfloat16 keeps 8 bits of mantissa: probabilities agree to a few hundredths, not 1e-6.
  const double difference = (actual - expected).abs().max().item<double>();
  EXPECT_LT(difference, 0.05);
  EXPECT_GT(difference, 1e-7) << "bfloat16 ran as float32";
}

TEST(OptimizedInference, KeepsTheTrainedWeightsAndRefusesToTrain) {
  auto [reference, optimized] = twin_networks("resnet18");
  optimize_for_inference(*optimized, choose_inference_plan("resnet18", torch::kCPU, 1));
  const TensorMap before = nn::state_dict(*reference), after = nn::state_dict(*optimized);
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [name, tensor] : before)
    EXPECT_TRUE(torch::equal(tensor, after.at(name))) << name;
  EXPECT_THROW(optimize_for_inference(*optimized, {}), Error);
  optimized->train();
  EXPECT_ANY_THROW(optimized->forward(torch::randn({2, 3, 64, 64})));
}

TEST(InferencePlan, ChoosesOneDnnOnCpuAndFoldingEverywhere) {
  // The ResNet family runs as the fused chain when the build has it; VGG always (and the
  // rest without the chain) in LibTorch's oneDNN layout.
  const TensorLayout resnets =
      nn::OneDnnTrunk::available() ? TensorLayout::kOneDnn : TensorLayout::kMkldnn;
  EXPECT_EQ(choose_inference_plan("resnet18", torch::kCPU, 64).layout, resnets);
  EXPECT_EQ(choose_inference_plan("seresnext50_32x4d", torch::kCPU, 1).layout, resnets);
  EXPECT_EQ(choose_inference_plan("seresnext50_32x4d", torch::kCPU, 32).layout, resnets);
  EXPECT_EQ(choose_inference_plan("vgg16_bn", torch::kCPU, 1).layout, TensorLayout::kMkldnn);
  // bfloat16 runs on the chain too.
  EXPECT_EQ(inference_plan_from_names("auto", "bfloat16", "resnet18", torch::kCPU, 1).layout,
            resnets);
  const InferencePlan gpu = choose_inference_plan("resnet18", torch::Device("cuda:0"), 32);
  EXPECT_EQ(gpu.layout, TensorLayout::kPlain);
  EXPECT_TRUE(gpu.fold_batch_norm);
  EXPECT_EQ(choose_inference_plan("resnet18", torch::kCPU, 1).precision, Precision::kFloat32);
}

TEST(InferencePlan, NamesAreCheckedAndDescribed) {
  EXPECT_FALSE(inference_plan_from_names("plain", "float32", "resnet18", torch::kCPU, 1).optimized());
  EXPECT_EQ(describe(inference_plan_from_names("mkldnn", "bfloat16", "resnet18", torch::kCPU, 1)),
            "mkldnn, folded batch norm, bfloat16");
  // Every layout name the options offer is accepted and comes back from describe() as given.
  const std::vector<std::string> layouts = inference_layout_names();
  EXPECT_EQ(layouts.front(), "auto");
  EXPECT_EQ(layouts.size(), 5u) << "auto and the four layouts";
  for (const std::string& layout : layouts) {
    if (layout == "auto" || (layout == "onednn" && !nn::OneDnnTrunk::available())) continue;
    const std::string described =
        describe(inference_plan_from_names(layout, "float32", "resnet18", torch::kCPU, 1));
    EXPECT_EQ(described.substr(0, described.find(',')), layout);
  }
  // Every precision name offered is known (int8 needs a calibration, so it is refused
  // for what it lacks, not as unknown); an unknown name's error lists the known ones.
  for (const std::string& precision : inference_precision_names()) {
    try {
      inference_plan_from_names("auto", precision, "resnet18", torch::kCPU, 1);
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find("unknown"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(inference_plan_from_names("fast", "float32", "resnet18", torch::kCPU, 1), Error);
  try {
    inference_plan_from_names("auto", "fp8", "resnet18", torch::kCPU, 1);
    ADD_FAILURE() << "fp8 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(known: auto, float32, bfloat16, int8)"),
              std::string::npos) << e.what();
  }
  EXPECT_THROW(inference_plan_from_names("mkldnn", "float32", "resnet18", torch::Device("cuda:0"), 1),
               Error);
}

}  // namespace
}  // namespace faceage
