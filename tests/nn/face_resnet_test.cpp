// face_resnet29 (nn/face_resnet.h): with the weights scripts/fetch-face-init.sh converts,
// its descriptor matches face-api.js's own network run by the package
// (reference_face_recognition.py); its heads, size limit and inference plans.
#include <filesystem>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "faceage/nn/face_resnet.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"
#include "faceage/nn/weights.h"
#include "nn_test_support.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

std::string init_path() {
  return faceage::testing::source_dir() + "/models/init/face-resnet29.safetensors";
}

std::shared_ptr<nn::FaceResNet> make_face_resnet(bool multitask = false) {
  AgeNetOptions options;
  options.architecture = "face_resnet29";
  options.multitask = multitask;
  auto network = std::dynamic_pointer_cast<nn::FaceResNet>(make_age_net(options));
  EXPECT_TRUE(network);
  return network;
}

// uint8 [N, H, W, 3] RGB -> the network's normalised float [N, 3, H, W].
torch::Tensor normalised(const torch::Tensor& rgb) {
  const InputNormalization n = input_normalization("face_resnet29");
  const torch::Tensor mean = torch::tensor({n.mean[0], n.mean[1], n.mean[2]}).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({n.std[0], n.std[1], n.std[2]}).view({1, 3, 1, 1});
  return (rgb.permute({0, 3, 1, 2}).to(torch::kFloat) / 255 - mean) / std;
}

TEST(FaceResNet, DescriptorMatchesFaceApiOnRealFaces) {
  ASSERT_TRUE(std::filesystem::exists(init_path()))
      << init_path() << " is missing: run scripts/fetch-face-init.sh";
  const TensorMap reference =
      read_safetensors(faceage::testing::reference_dir() + "/nn/face_recognition.safetensors").tensors;
  auto network = make_face_resnet();
  const nn::LoadReport report = nn::load_weights(init_path(), *network, /*allow_partial=*/true);
  // Everything but the age head loads; the file's only extra is the identity embedding.
  for (const std::string& key : report.missing) EXPECT_EQ(key.rfind("fc.", 0), 0u) << key;
  EXPECT_TRUE(report.mismatched.empty()) << report.summary();
  EXPECT_EQ(report.unexpected, std::vector<std::string>{"embedding.weight"});
  const torch::Tensor embedding = read_safetensors(init_path()).tensors.at("embedding.weight");

  network->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor images = reference.at("images");
  ASSERT_GE(images.size(0), 2);
  const torch::Tensor descriptors = network->features(normalised(images)).matmul(embedding.t());
  // face-api's float32 kernels sit 6-8e-4 of the norm from a float64 evaluation (the
  // reference script's note); a wrong layer or weight would be off by the norm itself.
  const torch::Tensor expected = reference.at("descriptors");
  const torch::Tensor relative_error = (descriptors - expected).norm(2, {1}) / expected.norm(2, {1});
  EXPECT_LT(relative_error.max().item<double>(), 2e-3) << relative_error;
  EXPECT_TRUE(tensors_close(descriptors, reference.at("descriptors_float64"), 1e-5));
  // Different faces give different descriptors (the comparison is not of constants).
  EXPECT_GT((expected[0] - expected[1]).norm().item<double>(), 0.1);
}

TEST(FaceResNet, HeadsAndParameterCount) {
  // face-api's 5,614,592 weights less its 256 x 128 descriptor, plus the 101-way age head.
  int64_t parameters = 0;
  for (const auto& p : make_face_resnet()->parameters()) parameters += p.numel();
  EXPECT_EQ(parameters, 5614592 - 256 * 128 + 256 * kNumAges + kNumAges);

  auto network = make_face_resnet(/*multitask=*/true);
  network->eval();
  torch::NoGradGuard no_grad;
  for (const int64_t size : {int64_t{103}, int64_t{112}, int64_t{150}}) {
    const AgeNetOutput output = network->forward(torch::randn({2, 3, size, size + 6}));
    EXPECT_EQ(output.age_logits.sizes(), (std::vector<int64_t>{2, kNumAges})) << size;
    EXPECT_EQ(output.gender_logits.sizes(), (std::vector<int64_t>{2, 2})) << size;
    EXPECT_EQ(output.ethnicity_logits.sizes(), (std::vector<int64_t>{2, 5})) << size;
    EXPECT_TRUE(torch::isfinite(output.age_logits).all().item<bool>()) << size;
  }
}

TEST(FaceResNet, RefusesImagesBelowItsMinimumSize) {
  auto network = make_face_resnet();
  network->eval();
  torch::NoGradGuard no_grad;
  try {
    network->forward(torch::randn({1, 3, 96, 96}));
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("at least 103"), std::string::npos) << error.what();
  }
  EXPECT_EQ(minimum_input_size("face_resnet29"), 103);
}

TEST(FaceResNet, OptimisedInferenceMatchesThePlainNetwork) {
  for (const char* layout : {"auto", "mkldnn", "channels-last"}) {
    torch::manual_seed(5);
    auto reference = make_face_resnet(/*multitask=*/true);
    faceage::testing::randomize_batch_norms(*reference);
    reference->eval();
    auto optimized = make_face_resnet(/*multitask=*/true);
    nn::load_state_dict(*optimized, nn::state_dict(*reference), /*allow_partial=*/false);
    const InferencePlan plan =
        inference_plan_from_names(layout, "float32", "face_resnet29", torch::kCPU, 2);
    optimize_for_inference(*optimized, plan);
    torch::NoGradGuard no_grad;
    const torch::Tensor images = torch::randn({2, 3, 112, 112});
    const AgeNetOutput expected = reference->forward(images);
    const AgeNetOutput actual = forward_for_inference(*optimized, images, false);
    EXPECT_TRUE(tensors_close(actual.age_logits, expected.age_logits, 1e-4)) << describe(plan);
    EXPECT_TRUE(tensors_close(actual.gender_logits, expected.gender_logits, 1e-4)) << describe(plan);
  }
}

}  // namespace
}  // namespace faceage
