// MTCNN's fused oneDNN chains (face/mtcnn_chain.h) against the LibTorch modules on the real
// weights: every head of every network, at odd picture sizes (the overhanging pooling
// windows) and at batch sizes that run in several power-of-two pieces.
#include "faceage/face/mtcnn_chain.h"

#include <gtest/gtest.h>

#include "face_test_support.h"
#include "test_support.h"

namespace faceage {
namespace {

using testing::tensors_close;

class MtcnnChainsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!MtcnnChains::available()) GTEST_SKIP() << "built without libdnnl-dev";
    const std::string weights = testing::mtcnn_weights_or_fail();
    ASSERT_FALSE(weights.empty());
    nets_ = std::make_unique<MtcnnNets>(load_mtcnn_nets(weights));
    chains_ = std::make_unique<MtcnnChains>(*nets_);
  }
  // Pixels as the detector feeds them: (value - 127.5) / 128, channels-last.
  static torch::Tensor images(int64_t n, int64_t h, int64_t w) {
    return (torch::rand({n, 3, h, w}) * 2 - 1).contiguous(at::MemoryFormat::ChannelsLast);
  }

  std::unique_ptr<MtcnnNets> nets_;
  std::unique_ptr<MtcnnChains> chains_;
};

TEST_F(MtcnnChainsTest, PNetMatchesTheModuleAtOddSizes) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(3);
  for (const auto& [n, h, w] :
       {std::tuple{1, 45, 64}, std::tuple{3, 97, 131}, std::tuple{1, 12, 12}}) {
    const torch::Tensor input = images(n, h, w);
    const PNetOutput expected = nets_->pnet->forward(input);
    const PNetOutput actual = chains_->pnet(input);
    EXPECT_TRUE(tensors_close(actual.logits, expected.logits, 1e-4)) << h << "x" << w;
    EXPECT_TRUE(tensors_close(actual.offsets, expected.offsets, 1e-4)) << h << "x" << w;
  }
}

TEST_F(MtcnnChainsTest, RNetAndONetMatchTheModulesAtAnyBatchSize) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(4);
  for (const int64_t n : {1, 7, 13, 1}) {
    const torch::Tensor crops24 = images(n, 24, 24), crops48 = images(n, 48, 48);
    const RNetOutput r_expected = nets_->rnet->forward(crops24), r = chains_->rnet(crops24);
    EXPECT_TRUE(tensors_close(r.logits, r_expected.logits, 1e-4)) << n;
    EXPECT_TRUE(tensors_close(r.offsets, r_expected.offsets, 1e-4)) << n;
    const ONetOutput o_expected = nets_->onet->forward(crops48), o = chains_->onet(crops48);
    EXPECT_TRUE(tensors_close(o.logits, o_expected.logits, 1e-4)) << n;
    EXPECT_TRUE(tensors_close(o.offsets, o_expected.offsets, 1e-4)) << n;
    EXPECT_TRUE(tensors_close(o.landmarks, o_expected.landmarks, 1e-4)) << n;
  }
}

}  // namespace
}  // namespace faceage
