// The exported ONNX graphs run by ONNX Runtime (npm onnxruntime-node, through node and
// run_onnx_model.mjs) give faceage's own outputs: the default model on real faces (UTKFace
// crops through its preprocessing) with and without flip averaging, exported by the
// command; every other architecture with random weights and random batch-norm statistics
// at a small input size, batch 2 (the dynamic axis), with heads and formulations mixed.
// Tolerance: max |difference| / max |faceage's value| <= 1e-4 for every output.
#include <filesystem>
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "faceage/io/image.h"
#include "faceage/model/formulation.h"
#include "faceage/model/model_file.h"
#include "faceage/model/preprocessing.h"
#include "faceage/nn/flip_average.h"
#include "faceage/onnx/onnx_export.h"
#include "faceage/parallel/sync_batch_norm.h"
#include "onnx_runtime_runner.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

constexpr double kTolerance = 1e-4;

double relative_difference(const torch::Tensor& actual, const torch::Tensor& expected) {
  const double scale = std::max(expected.abs().max().item<double>(), 1e-12);
  return (actual - expected).abs().max().item<double>() / scale;
}

using Outputs = std::map<std::string, torch::Tensor>;

// ONNX Runtime's outputs against faceage's forward_for_inference on the same images;
// prints the figures (docs/deploy.md quotes them) and returns ONNX Runtime's outputs.
void expect_parity(const LoadedModel& model, const std::string& onnx_path,
                   const torch::Tensor& images, bool flip_average, const std::string& label,
                   Outputs* returned = nullptr) {
  const std::string missing = faceage::testing::onnx_runtime_missing();
  ASSERT_TRUE(missing.empty()) << missing;
  const Outputs outputs = faceage::testing::run_onnx_runtime(
      onnx_path, images, faceage::testing::temp_dir("onnx-run"));
  if (returned) *returned = outputs;

  torch::NoGradGuard no_grad;
  const AgeNetOutput expected = forward_for_inference(*model.network, images, flip_average);
  const int64_t n = images.size(0);
  std::vector<std::string> names = {"age_logits", "age_probabilities", "age"};
  if (model.spec.network.multitask) names.insert(names.end(), {"gender_logits", "ethnicity_logits"});
  ASSERT_EQ(outputs.size(), names.size());
  for (const std::string& name : names) ASSERT_TRUE(outputs.count(name)) << name;

  const torch::Tensor& age_logits = outputs.at("age_logits");
  ASSERT_EQ(age_logits.sizes(), (std::vector<int64_t>{n, model.spec.network.num_ages}));
  // Different faces get different logits: the comparison is not of constants.
  EXPECT_GT(relative_difference(expected.age_logits[0], expected.age_logits[1]), 10 * kTolerance) << label;
  EXPECT_TRUE(tensors_close(age_logits, expected.age_logits, kTolerance)) << label;
  const torch::Tensor probabilities = torch::softmax(expected.age_logits, 1);
  EXPECT_TRUE(tensors_close(outputs.at("age_probabilities"), probabilities, kTolerance)) << label;
  const torch::Tensor age = predicted_age(expected.age_logits, model.spec.formulation);
  ASSERT_EQ(outputs.at("age").sizes(), (std::vector<int64_t>{n}));
  if (model.spec.formulation == Formulation::kClassification)
    EXPECT_TRUE(torch::equal(outputs.at("age"), age.to(torch::kFloat))) << outputs.at("age") << age;
  else
    EXPECT_TRUE(tensors_close(outputs.at("age"), age, kTolerance)) << label;

  std::cout << label << ": age_logits " << relative_difference(age_logits, expected.age_logits)
            << ", age_probabilities "
            << relative_difference(outputs.at("age_probabilities"), probabilities) << ", age "
            << (outputs.at("age") - age).abs().max().item<double>() << " years";
  if (model.spec.network.multitask) {
    EXPECT_TRUE(tensors_close(outputs.at("gender_logits"), expected.gender_logits, kTolerance));
    EXPECT_TRUE(tensors_close(outputs.at("ethnicity_logits"), expected.ethnicity_logits, kTolerance));
    std::cout << ", gender_logits "
              << relative_difference(outputs.at("gender_logits"), expected.gender_logits)
              << ", ethnicity_logits "
              << relative_difference(outputs.at("ethnicity_logits"), expected.ethnicity_logits);
  }
  std::cout << " (max |diff| / max |faceage|)\n";
}

std::string default_model_path() {
  return faceage::testing::source_dir() + "/models/default-age-model.safetensors";
}

// UTKFace crops (faces cut and aligned by the dataset) through the model's preprocessing.
torch::Tensor utkface_faces(const Preprocessing& preprocessing) {
  const std::vector<std::string> names = {
      "8_1_0_20161220223020578.jpg.chip.jpg", "26_1_0_20170116171048641.jpg.chip.jpg",
      "41_0_1_20170113134000456.jpg.chip.jpg", "33_0_3_20170117134831656.jpg.chip.jpg"};
  std::vector<torch::Tensor> faces;
  for (const std::string& name : names)
    faces.push_back(to_input_tensor(
        read_image(faceage::testing::data_dir() + "/utkface/" + name), preprocessing));
  return torch::stack(faces);
}

TEST(OnnxParity, DefaultModelOnRealFacesWithAndWithoutFlipAveraging) {
  const std::string dir = faceage::testing::temp_dir("onnx-default");
  const LoadedModel model = load_model(default_model_path());
  ASSERT_TRUE(model.spec.flip_average) << "the default model is meant to average flips";
  const torch::Tensor faces = utkface_faces(model.spec.preprocessing);
  // Through the command, as a user exports: the model's own setting, then flip off.
  const std::string exporting = faceage::testing::cli_path() + " export --model " + default_model_path();
  auto exported = faceage::testing::run_command(exporting + " --onnx " + dir + "/flip.onnx 2>&1");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  exported = faceage::testing::run_command(exporting + " --onnx " + dir + "/plain.onnx" +
                                           " --onnx-flip-average false 2>&1");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  Outputs flipped, plain;
  expect_parity(model, dir + "/flip.onnx", faces, true, "face_resnet29 default model, flip averaged",
                &flipped);
  expect_parity(model, dir + "/plain.onnx", faces, false, "face_resnet29 default model, no flip",
                &plain);
  // The mirror image changes the prediction, so the two graphs really differ.
  ASSERT_TRUE(flipped.count("age_probabilities") && plain.count("age_probabilities"));
  EXPECT_GT(relative_difference(flipped.at("age_probabilities"), plain.at("age_probabilities")), 1e-3);
}

struct RandomCase {
  std::string architecture;
  int64_t input_size;
  bool multitask, flip_average;
  Formulation formulation;
};

void PrintTo(const RandomCase& c, std::ostream* out) { *out << c.architecture; }

// Batch norms with statistics and affine parameters far from the identity, so the graph's
// BatchNormalization is really tested.
void randomize_batch_norms(torch::nn::Module& network) {
  torch::NoGradGuard no_grad;
  for (const auto& module : network.modules(/*include_self=*/false))
    if (auto* bn = module->as<nn::SyncableBatchNorm2dImpl>()) {
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.normal_(0, 0.2);
      bn->running_mean.normal_(0, 0.2);
      bn->running_var.uniform_(0.5, 2.0);
    }
}

LoadedModel random_model(const RandomCase& c) {
  torch::manual_seed(21);
  LoadedModel model;
  model.spec.network.architecture = c.architecture;
  model.spec.network.multitask = c.multitask;
  model.spec.formulation = c.formulation;
  model.spec.flip_average = c.flip_average;
  model.spec.preprocessing.input_size = static_cast<int>(c.input_size);
  model.network = make_age_net(model.spec.network);
  randomize_batch_norms(*model.network);
  model.network->eval();
  return model;
}

class OnnxRandomWeightsParity : public ::testing::TestWithParam<RandomCase> {};

TEST_P(OnnxRandomWeightsParity, MatchesFaceage) {
  const RandomCase& c = GetParam();
  const LoadedModel model = random_model(c);
  const std::string path =
      faceage::testing::temp_dir("onnx-random-" + c.architecture) + "/model.onnx";
  onnx_export::export_onnx(model, c.architecture + " (random weights)", path);
  torch::manual_seed(5);
  const torch::Tensor images = torch::randn({2, 3, c.input_size, c.input_size});
  expect_parity(model, path, images, c.flip_average,
                c.architecture + " random, " + std::to_string(c.input_size) + " px" +
                    (c.multitask ? ", multi-task" : "") + (c.flip_average ? ", flip averaged" : "") +
                    (c.formulation == Formulation::kClassification ? ", classification" : ""));
  std::filesystem::remove(path);  // hundreds of MB for VGG
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, OnnxRandomWeightsParity,
    ::testing::Values(RandomCase{"resnet50", 64, false, false, Formulation::kLdl},
                      RandomCase{"seresnext50_32x4d", 64, true, true, Formulation::kLdl},
                      RandomCase{"resnet18", 64, true, false, Formulation::kClassification},
                      RandomCase{"resnet34", 64, false, true, Formulation::kLdl},
                      // 64 px: VGG's last map is 2 x 2, so its adaptive pool to 7 x 7 runs
                      // as the averaging-matrix path with overlapping windows.
                      RandomCase{"vgg16_bn", 64, true, false, Formulation::kLdl},
                      // 112 px: other down-block paddings than the default model's 150.
                      RandomCase{"face_resnet29", 112, true, true, Formulation::kLdl}),
    [](const ::testing::TestParamInfo<RandomCase>& info) { return info.param.architecture; });

}  // namespace
}  // namespace faceage
