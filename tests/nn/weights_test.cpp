// Weights by name: PyTorch's state-dict names, strict loads that name every bad key,
// partial loads that report, and bit-exact safetensors round trips.
#include <set>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/weights.h"
#include "test_support.h"

namespace faceage {
namespace {

std::shared_ptr<AgeNet> resnet18(uint64_t seed) {
  torch::manual_seed(seed);
  AgeNetOptions options;
  options.architecture = "resnet18";
  return make_age_net(options);
}

// Clones, so later changes to the module do not show through.
TensorMap snapshot(const torch::nn::Module& module) {
  TensorMap copy;
  for (const auto& [key, tensor] : nn::state_dict(module)) copy[key] = tensor.clone();
  return copy;
}

// The message of the faceage::Error a strict load throws.
std::string strict_load_error(torch::nn::Module& module, const TensorMap& tensors) {
  try {
    nn::load_state_dict(module, tensors, /*allow_partial=*/false, "weights.safetensors");
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "strict load accepted a bad state dict";
  return "";
}

void expect_equal_maps(const TensorMap& actual, const TensorMap& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [key, tensor] : expected) {
    ASSERT_EQ(actual.count(key), 1u) << key;
    EXPECT_EQ(actual.at(key).scalar_type(), tensor.scalar_type()) << key;
    EXPECT_TRUE(torch::equal(actual.at(key), tensor)) << key;
  }
}

TEST(StateDict, HasTorchvisionNamesIncludingBatchNormBuffers) {
  const TensorMap mine = nn::state_dict(*resnet18(1));
  const TensorMap torchvision =
      read_safetensors(faceage::testing::reference_dir() + "/nn/resnet18.safetensors").tensors;
  std::set<std::string> my_keys, their_keys;
  for (const auto& [key, tensor] : mine) my_keys.insert(key);
  for (const auto& [key, tensor] : torchvision) their_keys.insert(key);
  EXPECT_EQ(my_keys, their_keys);
  EXPECT_EQ(mine.at("layer2.0.downsample.1.num_batches_tracked").scalar_type(), torch::kLong);
  EXPECT_EQ(mine.at("fc.weight").sizes(), (std::vector<int64_t>{101, 512}));
  EXPECT_EQ(mine.count("conv1.bias"), 0u);  // bias-free convolutions have no bias entry
}

TEST(LoadStateDict, StrictFailsOnAMissingKeyAndNamesIt) {
  const auto net = resnet18(1);
  const TensorMap before = snapshot(*net);
  TensorMap tensors = snapshot(*resnet18(2));
  tensors.erase("layer3.1.bn2.running_var");
  const std::string message = strict_load_error(*net, tensors);
  EXPECT_NE(message.find("weights.safetensors"), std::string::npos) << message;
  EXPECT_NE(message.find("1 missing (layer3.1.bn2.running_var)"), std::string::npos) << message;
  expect_equal_maps(nn::state_dict(*net), before);  // a failed strict load changes nothing
}

TEST(LoadStateDict, StrictFailsOnAnUnexpectedKeyAndNamesIt) {
  const auto net = resnet18(1);
  TensorMap tensors = snapshot(*resnet18(2));
  tensors["layer5.0.conv1.weight"] = torch::zeros({4, 4, 3, 3});
  const std::string message = strict_load_error(*net, tensors);
  EXPECT_NE(message.find("1 unexpected (layer5.0.conv1.weight)"), std::string::npos) << message;
}

TEST(LoadStateDict, StrictFailsOnAWrongShapeAndNamesBothShapes) {
  const auto net = resnet18(1);
  TensorMap tensors = snapshot(*resnet18(2));
  tensors["fc.weight"] = torch::zeros({1000, 512});
  const std::string message = strict_load_error(*net, tensors);
  EXPECT_NE(message.find("1 shape mismatch (fc.weight: file [1000, 512], model [101, 512])"),
            std::string::npos)
      << message;
}

TEST(LoadStateDict, StrictErrorSummarisesEveryKindAndShortensLongLists) {
  const auto net = resnet18(1);
  TensorMap tensors = snapshot(*resnet18(2));
  int erased = 0;  // counted without the batch norm counters, which are not errors
  for (auto it = tensors.begin(); it != tensors.end();)
    if (it->first.rfind("layer4.", 0) == 0) {
      erased += it->first.find("num_batches_tracked") == std::string::npos;
      it = tensors.erase(it);
    } else {
      ++it;
    }
  tensors["extra"] = torch::zeros({1});
  tensors["fc.bias"] = torch::zeros({1000});
  const std::string message = strict_load_error(*net, tensors);
  EXPECT_NE(message.find(std::to_string(erased) + " missing (layer4."), std::string::npos)
      << message;
  EXPECT_NE(message.find("and " + std::to_string(erased - 8) + " more"), std::string::npos)
      << message;
  EXPECT_NE(message.find("1 unexpected (extra)"), std::string::npos) << message;
  EXPECT_NE(message.find("fc.bias: file [1000], model [101]"), std::string::npos) << message;
}

// ImageNet weights (1000-way fc) on an age network (fresh 101-way fc).
TEST(LoadStateDict, PartialLoadsTheBackboneAndReportsTheHead) {
  const auto net = resnet18(1);
  const TensorMap fresh = snapshot(*net);
  TensorMap imagenet = snapshot(*resnet18(2));
  imagenet["fc.weight"] = torch::randn({1000, 512});
  imagenet["fc.bias"] = torch::randn({1000});

  const nn::LoadReport report = nn::load_state_dict(*net, imagenet, /*allow_partial=*/true);
  EXPECT_FALSE(report.complete());
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  ASSERT_EQ(report.mismatched.size(), 2u);
  EXPECT_EQ(report.mismatched[0].key, "fc.bias");
  EXPECT_EQ(report.mismatched[0].file_shape, (std::vector<int64_t>{1000}));
  EXPECT_EQ(report.mismatched[0].model_shape, (std::vector<int64_t>{101}));
  EXPECT_EQ(report.mismatched[1].key, "fc.weight");
  EXPECT_EQ(report.loaded.size(), imagenet.size() - 2);
  EXPECT_NE(report.summary().find("2 shape mismatches"), std::string::npos) << report.summary();

  const TensorMap after = nn::state_dict(*net);
  for (const auto& [key, tensor] : after) {
    const bool head = key.rfind("fc.", 0) == 0;
    EXPECT_TRUE(torch::equal(tensor, head ? fresh.at(key) : imagenet.at(key))) << key;
  }
}

TEST(LoadStateDict, PartialReportsMissingAndUnexpectedKeys) {
  const auto net = resnet18(1);
  TensorMap tensors = snapshot(*resnet18(2));
  tensors.erase("conv1.weight");
  tensors["features.0.weight"] = torch::zeros({64, 3, 3, 3});
  const nn::LoadReport report = nn::load_state_dict(*net, tensors, /*allow_partial=*/true);
  EXPECT_EQ(report.missing, std::vector<std::string>{"conv1.weight"});
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"features.0.weight"});
  EXPECT_TRUE(report.mismatched.empty());
}

// Files saved before PyTorch 0.4.1 (e.g. torchvision's ResNet ImageNet weights) have no
// batch norm counters; PyTorch loads them, so must we.
TEST(LoadStateDict, FilesWithoutBatchNormCountersLoadStrictly) {
  const auto net = resnet18(1);
  TensorMap tensors = snapshot(*resnet18(2));
  size_t counters = 0;
  for (auto it = tensors.begin(); it != tensors.end();)
    if (it->first.find("num_batches_tracked") != std::string::npos) {
      it = tensors.erase(it);
      ++counters;
    } else {
      ++it;
    }
  EXPECT_EQ(counters, 20u);  // resnet18 has 20 batch norms
  const nn::LoadReport report = nn::load_state_dict(*net, tensors, /*allow_partial=*/false);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.defaulted.size(), counters);
}

TEST(Weights, SafetensorsRoundTripIsBitExact) {
  const auto trained = resnet18(1);
  {
    torch::NoGradGuard no_grad;  // non-default running stats and counters
    trained->train();
    trained->forward(torch::randn({2, 3, 64, 64}));
  }
  const std::string path = faceage::testing::temp_dir("weights-roundtrip") + "/net.safetensors";
  nn::save_weights(path, *trained, {{"architecture", "resnet18"}});
  EXPECT_EQ(read_safetensors(path).metadata.at("architecture"), "resnet18");

  const auto loaded = resnet18(2);
  const nn::LoadReport report = nn::load_weights(path, *loaded, /*allow_partial=*/false);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(report.loaded.size(), nn::state_dict(*loaded).size());
  expect_equal_maps(nn::state_dict(*loaded), snapshot(*trained));
}

TEST(Weights, HalfPrecisionFileLoadsIntoFloatModule) {
  TensorMap half;
  for (const auto& [key, tensor] : snapshot(*resnet18(1)))
    half[key] = tensor.is_floating_point() ? tensor.to(torch::kHalf) : tensor;
  const std::string path = faceage::testing::temp_dir("weights-half") + "/net.safetensors";
  write_safetensors(path, half);

  const auto net = resnet18(2);
  nn::load_weights(path, *net, /*allow_partial=*/false);
  for (const auto& [key, tensor] : nn::state_dict(*net)) {
    EXPECT_EQ(tensor.scalar_type(), key.find("num_batches_tracked") != std::string::npos
                                        ? torch::kLong
                                        : torch::kFloat)
        << key;
    EXPECT_TRUE(torch::equal(tensor, half.at(key).to(tensor.scalar_type()))) << key;
  }
}

TEST(Weights, MissingFileFailsNamingIt) {
  const auto net = resnet18(1);
  try {
    nn::load_weights("/nonexistent/net.safetensors", *net, false);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/net.safetensors"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace faceage
