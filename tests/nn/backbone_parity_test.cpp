// Every backbone against PyTorch (reference_backbones.py): the reference's state dict loads
// strictly by name, and eval- and train-mode outputs, plus the batch norm statistics the
// train pass updates, match to 1e-4 of the output's scale.
#include <gtest/gtest.h>

#include "faceage/io/safetensors.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/weights.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

constexpr double kTolerance = 1e-4;

TensorMap reference(const std::string& file) {
  return read_safetensors(faceage::testing::reference_dir() + "/nn/" + file).tensors;
}

torch::Tensor images_for(const std::string& architecture) {
  // VGG runs at the 64 px minimum, where its 7x7 adaptive pool upsamples a 2x2 map.
  return reference("inputs.safetensors").at(architecture == "vgg16_bn" ? "images_64" : "images");
}

std::shared_ptr<AgeNet> make(const std::string& architecture, bool multitask) {
  AgeNetOptions options;
  options.architecture = architecture;
  options.multitask = multitask;
  options.dropout = 0.0;  // the reference VGG has dropout off, so train mode is deterministic
  return make_age_net(options);
}

class BackboneParity : public ::testing::TestWithParam<std::string> {};

TEST_P(BackboneParity, EvalAndTrainOutputsMatchPyTorch) {
  const std::string architecture = GetParam();
  const std::shared_ptr<AgeNet> net = make(architecture, /*multitask=*/false);
  const nn::LoadReport report =
      nn::load_state_dict(*net, reference(architecture + ".safetensors"), /*allow_partial=*/false);
  EXPECT_TRUE(report.complete()) << report.summary();
  EXPECT_TRUE(report.defaulted.empty());  // the reference has every num_batches_tracked

  const TensorMap expected = reference(architecture + "_outputs.safetensors");
  const torch::Tensor images = images_for(architecture);
  torch::NoGradGuard no_grad;

  net->eval();
  const AgeNetOutput eval_output = net->forward(images);
  EXPECT_TRUE(tensors_close(eval_output.age_logits, expected.at("eval_age"), kTolerance));
  EXPECT_FALSE(eval_output.gender_logits.defined());
  EXPECT_FALSE(eval_output.ethnicity_logits.defined());

  net->train();
  EXPECT_TRUE(
      tensors_close(net->forward(images).age_logits, expected.at("train_age"), kTolerance));
  const TensorMap after = nn::state_dict(*net);
  int buffers = 0;
  const std::string prefix = "after_train.";
  for (const auto& [name, tensor] : expected) {
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string key = name.substr(prefix.size());
    ASSERT_EQ(after.count(key), 1u) << key;
    if (tensor.scalar_type() == torch::kLong)
      EXPECT_TRUE(torch::equal(after.at(key), tensor)) << key;
    else
      EXPECT_TRUE(tensors_close(after.at(key), tensor, kTolerance)) << key;
    ++buffers;
  }
  EXPECT_GT(buffers, 0);
}

INSTANTIATE_TEST_SUITE_P(AllBackbones, BackboneParity,
                         ::testing::Values("resnet18", "resnet34", "resnet50",
                                           "seresnext50_32x4d", "vgg16_bn"),
                         [](const auto& info) { return info.param; });

// Paper §4.6's network: the backbone's weights plus the reference's multi-task heads
// (a wider age FC, gender and ethnicity FCs) load strictly, and all three heads match.
class MultitaskParity : public ::testing::TestWithParam<std::string> {};

TEST_P(MultitaskParity, AllHeadsMatchPyTorch) {
  const std::string architecture = GetParam();
  const std::shared_ptr<AgeNet> net = make(architecture, /*multitask=*/true);
  TensorMap weights = reference(architecture + ".safetensors");
  const TensorMap expected = reference(architecture + "_multitask.safetensors");
  const std::string prefix = "head.";
  for (const auto& [name, tensor] : expected)
    if (name.rfind(prefix, 0) == 0) weights[name.substr(prefix.size())] = tensor;
  nn::load_state_dict(*net, weights, /*allow_partial=*/false);

  torch::NoGradGuard no_grad;
  net->eval();
  const AgeNetOutput output = net->forward(images_for(architecture));
  EXPECT_TRUE(tensors_close(output.age_logits, expected.at("eval_age"), kTolerance));
  EXPECT_TRUE(tensors_close(output.gender_logits, expected.at("eval_gender"), kTolerance));
  EXPECT_TRUE(tensors_close(output.ethnicity_logits, expected.at("eval_ethnicity"), kTolerance));
}

INSTANTIATE_TEST_SUITE_P(SomeBackbones, MultitaskParity,
                         ::testing::Values("resnet18", "seresnext50_32x4d", "vgg16_bn"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace faceage
