// Weights files that do not belong to the network asked for: a model file whose tensors
// are another architecture's, pretrained weights of another architecture, a checkpoint
// with garbled metadata. Each is one faceage::Error naming the file. (Resuming a
// checkpoint of another architecture: trainer_test.cpp.)
#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/model/model_file.h"
#include "faceage/learn/optimization.h"
#include "faceage/learn/pretrained.h"
#include "faceage/nn/weights.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

ModelSpec spec_of(const std::string& architecture) {
  ModelSpec spec;
  spec.network.architecture = architecture;
  spec.preprocessing.input_size = 64;
  return spec;
}

// A resnet18's weights, labelled with `spec` in the model metadata.
std::string resnet18_weights_labelled(const ModelSpec& spec, const std::string& dir) {
  const std::shared_ptr<AgeNet> resnet18 = make_age_net(spec_of("resnet18").network);
  const std::string path = dir + "/model.safetensors";
  write_safetensors(path, nn::state_dict(*resnet18), {{kModelSpecKey, to_json(spec).dump()}});
  return path;
}

TEST(ForeignModel, ModelFileWithAnotherArchitecturesWeightsIsRefused) {
  const std::string path =
      resnet18_weights_labelled(spec_of("resnet50"), faceage::testing::temp_dir("foreign-model"));
  const std::string message = error_of([&] { load_model(path); });
  EXPECT_NE(message.find(path + ": "), std::string::npos) << message;
  EXPECT_NE(message.find("missing"), std::string::npos) << message;
}

TEST(ForeignModel, PretrainedWeightsOfAnotherArchitectureAreRefused) {
  const std::string path =
      resnet18_weights_labelled(spec_of("resnet18"), faceage::testing::temp_dir("foreign-pretrained"));
  const std::shared_ptr<AgeNet> resnet50 = make_age_net(spec_of("resnet50").network);
  const std::string message = error_of([&] { load_pretrained(path, *resnet50); });
  EXPECT_NE(message.find(path + ": pretrained weights do not fit a resnet50 backbone"),
            std::string::npos)
      << message;
}

TEST(ForeignModel, PretrainedWeightsWithAnotherHeadLoadTheBackbone) {
  // ImageNet weights: the same backbone with a 1000-class fc.
  const std::shared_ptr<AgeNet> source = make_age_net(spec_of("resnet18").network);
  TensorMap tensors = nn::state_dict(*source);
  tensors["fc.weight"] = torch::zeros({1000, 512});
  tensors["fc.bias"] = torch::zeros({1000});
  const std::string path = faceage::testing::temp_dir("imagenet-pretrained") + "/imagenet.safetensors";
  write_safetensors(path, tensors);
  const std::shared_ptr<AgeNet> target = make_age_net(spec_of("resnet18").network);
  const nn::LoadReport report = load_pretrained(path, *target);
  EXPECT_EQ(report.mismatched.size(), 2u);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(torch::equal(nn::state_dict(*target).at("conv1.weight"), tensors.at("conv1.weight")));
}

TEST(ForeignModel, CheckpointWithGarbledMetadataIsRefused) {
  const std::string path = faceage::testing::temp_dir("garbled-checkpoint") + "/last.safetensors";
  const std::shared_ptr<AgeNet> network = make_age_net(spec_of("resnet18").network);
  write_safetensors(path, nn::state_dict(*network),
                    {{kModelSpecKey, "{\"architecture\": "},
                     {"faceage.config", "{}"},
                     {"faceage.progress", "{}"}});
  TrainConfig config;
  const std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(*network, config);
  const std::string message = error_of([&] { load_checkpoint(path, *network, *optimizer); });
  EXPECT_NE(message.find(path + ": checkpoint metadata is malformed"), std::string::npos) << message;
}

}  // namespace
}  // namespace faceage
