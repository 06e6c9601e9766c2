// The C++ P/R/O-Nets against reference_mtcnn.py: PyTorch, written after the TFLite graph
// (transposed input, TF SAME padding, NHWC flatten), on the same weights and inputs.
#include "faceage/face/mtcnn_nets.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "face_test_support.h"
#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "test_support.h"

namespace faceage {
namespace {

using testing::reference_dir;
using testing::tensors_close;

class MtcnnNetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string weights = testing::mtcnn_weights_or_fail();
    ASSERT_FALSE(weights.empty());
    nets_ = std::make_unique<MtcnnNets>(load_mtcnn_nets(weights));
    reference_ = read_safetensors(reference_dir() + "/face/mtcnn.safetensors").tensors;
  }
  const torch::Tensor& ref(const std::string& name) { return reference_.at(name); }

  std::unique_ptr<MtcnnNets> nets_;
  TensorMap reference_;
};

TEST_F(MtcnnNetsTest, PNetMatchesReference) {
  torch::NoGradGuard no_grad;
  const PNetOutput out = nets_->pnet->forward(ref("pnet.input"));
  EXPECT_TRUE(tensors_close(out.logits, ref("pnet.logits"), 1e-4));
  EXPECT_TRUE(tensors_close(out.offsets, ref("pnet.offsets"), 1e-4));
  // The input is 45 x 64 (odd height): the ceil-mode pooling row is part of the check.
  EXPECT_EQ(out.logits.size(2), 18);  // floor-mode pooling would give 17
  EXPECT_EQ(out.logits.size(3), 27);
}

TEST_F(MtcnnNetsTest, RNetMatchesReference) {
  torch::NoGradGuard no_grad;
  const RNetOutput out = nets_->rnet->forward(ref("rnet.input"));
  EXPECT_TRUE(tensors_close(out.logits, ref("rnet.logits"), 1e-4));
  EXPECT_TRUE(tensors_close(out.offsets, ref("rnet.offsets"), 1e-4));
}

TEST_F(MtcnnNetsTest, ONetMatchesReference) {
  torch::NoGradGuard no_grad;
  const ONetOutput out = nets_->onet->forward(ref("onet.input"));
  EXPECT_TRUE(tensors_close(out.logits, ref("onet.logits"), 1e-4));
  EXPECT_TRUE(tensors_close(out.offsets, ref("onet.offsets"), 1e-4));
  EXPECT_TRUE(tensors_close(out.landmarks, ref("onet.landmarks"), 1e-4));
}

TEST_F(MtcnnNetsTest, FaceCropsScoreAsFacesAndNoiseDoesNot) {
  // Real behaviour, not only parity: the first two crops of the reference input are the
  // face of a FairFace photo, the last one is noise.
  torch::NoGradGuard no_grad;
  const torch::Tensor p = torch::softmax(nets_->onet->forward(ref("onet.input")).logits, 1);
  EXPECT_GT(p[0][1].item<double>(), 0.9);
  EXPECT_GT(p[1][1].item<double>(), 0.9);
  EXPECT_LT(p[4][1].item<double>(), 0.1);
}

TEST(MtcnnWeights, MissingExplicitFileSaysHowToMakeIt) {
  try {
    find_mtcnn_weights("/nonexistent/mtcnn.safetensors");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mtcnn.safetensors"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("scripts/fetch-mtcnn-weights.sh"), std::string::npos);
  }
}

TEST(MtcnnWeights, EnvironmentVariableIsUsed) {
  const std::string weights = testing::mtcnn_weights_or_fail();
  ASSERT_FALSE(weights.empty());
  const char* previous = std::getenv("FACEAGE_MTCNN_WEIGHTS");
  const std::string saved = previous ? previous : "";
  ::setenv("FACEAGE_MTCNN_WEIGHTS", weights.c_str(), 1);
  EXPECT_EQ(find_mtcnn_weights(), weights);
  ::setenv("FACEAGE_MTCNN_WEIGHTS", "/nonexistent/env.safetensors", 1);
  EXPECT_THROW(find_mtcnn_weights(), Error);
  if (previous)
    ::setenv("FACEAGE_MTCNN_WEIGHTS", saved.c_str(), 1);
  else
    ::unsetenv("FACEAGE_MTCNN_WEIGHTS");
}

TEST(MtcnnWeights, WrongTensorShapeIsNamed) {
  const std::string weights = testing::mtcnn_weights_or_fail();
  ASSERT_FALSE(weights.empty());
  TensorMap tensors = read_safetensors(weights).tensors;
  tensors["onet.dense5.weight"] = torch::zeros({256, 100});
  try {
    load_mtcnn_nets(tensors, "broken.safetensors");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.safetensors"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("onet.dense5.weight"), std::string::npos);
  }
  tensors.erase("rnet.prelu4.weight");
  EXPECT_THROW(load_mtcnn_nets(tensors, "broken.safetensors"), Error);
}

}  // namespace
}  // namespace faceage
