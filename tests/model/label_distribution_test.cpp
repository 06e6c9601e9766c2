// Label encoding and decoding on hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>

#include "faceage/core/error.h"
#include "faceage/model/label_distribution.h"
#include "faceage/learn/losses.h"

namespace faceage {
namespace {

TEST(GaussianLabel, SumsToOneAndPeaksAtTheAge) {
  const torch::Tensor labels = gaussian_label_distribution(torch::tensor({30.0, 0.0, 100.0}), 2.0, 101);
  ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{3, 101}));
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(labels[i].sum().item<double>(), 1.0, 1e-6);
  EXPECT_EQ(labels[0].argmax().item<int64_t>(), 30);
  EXPECT_EQ(labels[1].argmax().item<int64_t>(), 0);
  EXPECT_EQ(labels[2].argmax().item<int64_t>(), 100);
  // Symmetric around an interior age: d(28) = d(32), and d(31)/d(30) = exp(-1/8) for σ = 2.
  EXPECT_NEAR(labels[0][28].item<double>(), labels[0][32].item<double>(), 1e-9);
  EXPECT_NEAR(labels[0][31].item<double>() / labels[0][30].item<double>(), std::exp(-1.0 / 8.0), 1e-6);
}

TEST(GaussianLabel, RejectsNonPositiveSigma) {
  EXPECT_THROW(gaussian_label_distribution(torch::tensor({3.0}), 0.0, 101), Error);
}

TEST(ExpectedAge, IsTheMeanOfTheDistribution) {
  torch::Tensor p = torch::zeros({1, 101});
  p[0][20] = 0.25;
  p[0][30] = 0.75;
  EXPECT_NEAR(expected_age(p).item<double>(), 27.5, 1e-5);
  // Variance = 0.25·7.5² + 0.75·2.5² = 18.75.
  EXPECT_NEAR(age_standard_deviation(p).item<double>(), std::sqrt(18.75), 1e-4);
}

TEST(AgeInterval, CoversTheCentralMass) {
  torch::Tensor p = torch::zeros({1, 101});
  for (int age = 40; age < 50; ++age) p[0][age] = 0.1;  // uniform over 40..49
  const torch::Tensor interval = age_interval(p, 0.7);   // drop 15% each side
  EXPECT_EQ(interval[0][0].item<int>(), 41);
  EXPECT_EQ(interval[0][1].item<int>(), 48);
}

TEST(PredictedAge, ArgmaxForClassificationExpectationForLdl) {
  torch::Tensor logits = torch::full({1, 101}, -1e4);
  logits[0][10] = 0;
  logits[0][12] = 0;
  EXPECT_NEAR(predicted_age(logits, Formulation::kLdl).item<double>(), 11.0, 1e-4);
  EXPECT_EQ(predicted_age(logits, Formulation::kClassification).item<double>(), 10.0);
}

TEST(Formulation, ParsesKnownNamesAndRejectsOthers) {
  EXPECT_EQ(parse_formulation("ldl"), Formulation::kLdl);
  EXPECT_EQ(parse_formulation("classification"), Formulation::kClassification);
  try {
    parse_formulation("regression");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("regression"), std::string::npos);
  }
}

}  // namespace
}  // namespace faceage
