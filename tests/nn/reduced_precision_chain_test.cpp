// The oneDNN chain in bfloat16 and int8 (nn/onednn_trunk.h) against the plain float32
// network: close, not equal (a test that they differ at all keeps a silently float32 path
// from passing), on ResNet-18, ResNet-50, SE-ResNeXt-50 (grouped convolutions, gates) and
// face_resnet29 (odd and even sides, so its corner-added shortcuts), and the int8
// calibration's contract: ranges recorded on a
// float32 copy, widening with more images, and a calibration of the wrong length refused.
#include <cstdio>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"
#include "faceage/nn/onednn_trunk.h"
#include "faceage/nn/weights.h"
#include "nn_test_support.h"
#include "test_support.h"

namespace faceage {
namespace {

// A random network with batch norms away from their start (folding changes the weights).
std::shared_ptr<AgeNet> random_network(const std::string& architecture) {
  torch::manual_seed(5);
  AgeNetOptions options;
  options.architecture = architecture;
  auto network = make_age_net(options);
  faceage::testing::randomize_batch_norms(*network);
  network->eval();
  return network;
}

std::shared_ptr<AgeNet> copy_of(const std::shared_ptr<AgeNet>& network,
                                const std::string& architecture) {
  AgeNetOptions options;
  options.architecture = architecture;
  auto copy = make_age_net(options);
  nn::load_state_dict(*copy, nn::state_dict(*network), /*allow_partial=*/false);
  copy->eval();
  return copy;
}

// ||actual - expected|| / ||expected|| over the logits.
double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  return ((actual - expected).norm() / expected.norm()).item<double>();
}

// The int8 plan of `network`, calibrated on `calibration` images through a float32 chain.
InferencePlan calibrated_int8_plan(const std::shared_ptr<AgeNet>& network,
                                   const std::string& architecture,
                                   const torch::Tensor& calibration) {
  Int8Calibrator calibrator(*network);
  calibrator.observe(calibration);
  return inference_plan_from_names("onednn", "int8", architecture, torch::kCPU, 1,
                                   {{}, calibrator.ranges()});
}

struct PrecisionCase {
  std::string architecture;
  int64_t side;
  double int8_bound, bfloat16_bound;  // relative error of the age logits
};

void PrintTo(const PrecisionCase& c, std::ostream* out) { *out << c.architecture << " " << c.side; }

class ReducedPrecisionChain : public ::testing::TestWithParam<PrecisionCase> {};

TEST_P(ReducedPrecisionChain, StaysCloseToFloat32) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  const PrecisionCase& c = GetParam();
  auto reference = random_network(c.architecture);
  torch::NoGradGuard no_grad;
  const torch::Tensor calibration = torch::randn({6, 3, c.side, c.side});
  for (const int64_t batch : {int64_t{1}, int64_t{3}}) {
    // Other images than the calibration's, as in use.
    const torch::Tensor images = torch::randn({batch, 3, c.side, c.side});
    const torch::Tensor expected = reference->forward(images).age_logits;
    for (const std::string precision : {"bfloat16", "int8"}) {
      auto reduced = copy_of(reference, c.architecture);
      const InferencePlan plan =
          precision == "int8"
              ? calibrated_int8_plan(reference, c.architecture, calibration)
              : inference_plan_from_names("onednn", precision, c.architecture, torch::kCPU, 1);
      optimize_for_inference(*reduced, plan);
      const torch::Tensor actual = forward_for_inference(*reduced, images, false).age_logits;
      ASSERT_EQ(actual.scalar_type(), torch::kFloat);
      const double error = relative_error(actual, expected);
      std::printf("%s %lld px, %s, batch %lld: relative error of the logits %.5f\n",
                  c.architecture.c_str(), static_cast<long long>(c.side), precision.c_str(),
                  static_cast<long long>(batch), error);
      EXPECT_LT(error, precision == "int8" ? c.int8_bound : c.bfloat16_bound)
          << precision << ", batch " << batch;
      EXPECT_GT(error, 1e-6) << precision << " ran as float32";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Networks, ReducedPrecisionChain,
    ::testing::Values(PrecisionCase{"resnet18", 64, 0.05, 0.015},
                      PrecisionCase{"resnet50", 64, 0.05, 0.015},
                      PrecisionCase{"seresnext50_32x4d", 64, 0.05, 0.015},
                      PrecisionCase{"face_resnet29", 150, 0.05, 0.015},
                      PrecisionCase{"face_resnet29", 135, 0.05, 0.015}),
    [](const auto& info) {
      return info.param.architecture + "_" + std::to_string(info.param.side);
    });

TEST(Int8Calibration, WidensWithWhatItSeesAndMustFitTheNetwork) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  auto reference = random_network("resnet18");
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({2, 3, 64, 64});
  Int8Calibrator calibrator(*reference);
  calibrator.observe(images);
  const PrecisionCalibration calibration{{}, calibrator.ranges()};
  // The input, the stem, and per basic block two convolutions (plus the shortcut's in the
  // three that downsample): 1 + 1 + 8 * 2 + 3.
  EXPECT_EQ(calibration.int8_ranges.size(), 21u);
  EXPECT_FLOAT_EQ(calibration.int8_ranges[0], images.abs().max().item<float>());
  for (float range : calibration.int8_ranges) EXPECT_GT(range, 0.0f);
  // Observing widens: smaller activations never shrink a range, larger ones grow it.
  calibrator.observe(images * 0.5);
  EXPECT_EQ(calibrator.ranges(), calibration.int8_ranges);
  calibrator.observe(images * 2);
  EXPECT_FLOAT_EQ(calibrator.ranges()[0], 2 * calibration.int8_ranges[0]);
  EXPECT_GT(calibrator.ranges().back(), calibration.int8_ranges.back());
  // The calibrated network itself is left as it was.
  EXPECT_FALSE(reference->inference_plan().optimized());

  // A calibration of another network's length is refused when the chain is built.
  PrecisionCalibration short_one{{}, {1.0f, 2.0f, 3.0f}};
  auto int8 = copy_of(reference, "resnet18");
  optimize_for_inference(*int8, inference_plan_from_names("onednn", "int8", "resnet18",
                                                          torch::kCPU, 1, short_one));
  EXPECT_THROW(int8->forward(images), Error);
  // int8 needs a calibration and the oneDNN chain.
  EXPECT_THROW(inference_plan_from_names("onednn", "int8", "resnet18", torch::kCPU, 1), Error);
  EXPECT_THROW(inference_plan_from_names("mkldnn", "int8", "resnet18", torch::kCPU, 1, calibration),
               Error);
  EXPECT_THROW(inference_plan_from_names("auto", "int8", "vgg16_bn", torch::kCPU, 1, calibration),
               Error);
}

TEST(InferencePlan, AutoPrecisionIsTheFastestValidatedOne) {
  if (!nn::OneDnnTrunk::available()) GTEST_SKIP() << "built without libdnnl-dev";
  PrecisionCalibration calibration{{}, std::vector<float>(21, 1.0f)};
  const auto chosen = [&](const std::string& layout) {
    return inference_plan_from_names(layout, "auto", "resnet18", torch::kCPU, 1, calibration)
        .precision;
  };
  EXPECT_EQ(chosen("auto"), Precision::kFloat32) << "nothing validated";
  calibration.validated = {"bfloat16"};
  EXPECT_EQ(chosen("auto"), Precision::kFloat32) << "bfloat16 ran slower than float32: never auto";
  calibration.validated = {"bfloat16", "int8"};
  const bool int8_native = nn::OneDnnTrunk::native(Precision::kInt8);
  EXPECT_EQ(chosen("auto"), int8_native ? Precision::kInt8 : Precision::kFloat32);
  EXPECT_NE(chosen("mkldnn"), Precision::kInt8) << "int8 runs on the chain only";
  EXPECT_EQ(inference_plan_from_names("auto", "auto", "resnet18", torch::Device("cuda:0"), 1,
                                      calibration)
                .precision,
            Precision::kFloat32);
  EXPECT_EQ(describe(inference_plan_from_names("onednn", "int8", "resnet18", torch::kCPU, 1,
                                               calibration)),
            "onednn, folded batch norm, int8");
}

}  // namespace
}  // namespace faceage
