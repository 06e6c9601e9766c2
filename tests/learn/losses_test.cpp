// The losses against PyTorch autograd on the same logits (reference_losses.py).
#include <gtest/gtest.h>

#include "faceage/io/safetensors.h"
#include "faceage/model/label_distribution.h"
#include "faceage/learn/losses.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

class LossesAgainstPyTorch : public ::testing::Test {
 protected:
  void SetUp() override {
    reference_ = read_safetensors(faceage::testing::reference_dir() + "/learn/losses.safetensors")
                     .tensors;
  }
  torch::Tensor ref(const std::string& name) { return reference_.at(name); }
  torch::Tensor logits() { return ref("logits").clone().requires_grad_(true); }
  TensorMap reference_;
};

TEST_F(LossesAgainstPyTorch, GaussianLabelsMatchForEachSigma) {
  EXPECT_TRUE(tensors_close(gaussian_label_distribution(ref("ages"), 2.0, 101),
                            ref("labels_sigma2"), 1e-6));
  EXPECT_TRUE(tensors_close(gaussian_label_distribution(ref("ages"), 3.0, 101),
                            ref("labels_sigma3"), 1e-6));
}

TEST_F(LossesAgainstPyTorch, LdlValueAndGradient) {
  torch::Tensor z = logits();
  LossTerms terms = ldl_loss(z, ref("ages"), 2.0, 1.0);
  EXPECT_TRUE(tensors_close(terms.kl.reshape({1}), ref("kl"), 1e-5));
  EXPECT_TRUE(tensors_close(terms.l1.reshape({1}), ref("l1"), 1e-5));
  EXPECT_TRUE(tensors_close(terms.total.reshape({1}), ref("ldl_total"), 1e-5));
  terms.total.backward();
  EXPECT_TRUE(tensors_close(z.grad(), ref("ldl_grad"), 1e-5));
}

TEST_F(LossesAgainstPyTorch, ClassificationValueAndGradient) {
  torch::Tensor z = logits();
  LossTerms terms = classification_loss(z, ref("ages"));
  EXPECT_TRUE(tensors_close(terms.total.reshape({1}), ref("ce"), 1e-5));
  terms.total.backward();
  EXPECT_TRUE(tensors_close(z.grad(), ref("ce_grad"), 1e-5));
}

TEST_F(LossesAgainstPyTorch, MultitaskSkipsUnknownLabels) {
  AgeNetOutput output{logits(), ref("gender_logits").clone().requires_grad_(true),
                      ref("ethnicity_logits").clone().requires_grad_(true)};
  LossTerms terms = age_net_loss(output, ref("ages"), ref("genders"), ref("ethnicities"),
                                 LossOptions{Formulation::kLdl, 2.0, 1.0});
  EXPECT_TRUE(tensors_close(terms.total.reshape({1}), ref("multitask_total"), 1e-5));
  terms.total.backward();
  EXPECT_TRUE(tensors_close(output.age_logits.grad(), ref("multitask_grad_age"), 1e-5));
  EXPECT_TRUE(tensors_close(output.gender_logits.grad(), ref("multitask_grad_gender"), 1e-5));
  EXPECT_TRUE(
      tensors_close(output.ethnicity_logits.grad(), ref("multitask_grad_ethnicity"), 1e-5));
}

}  // namespace
}  // namespace faceage
