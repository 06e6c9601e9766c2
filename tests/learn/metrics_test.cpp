// Metrics on hand-computed cases (paper §4.2).
#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/learn/metrics.h"

namespace faceage {
namespace {

const std::vector<double> kPredicted = {20, 33, 47.5, 10, 70};
const std::vector<double> kTruth = {22, 30, 40, 10, 77};
// Absolute errors: 2, 3, 7.5, 0, 7 -> MAE 19.5 / 5 = 3.9.

TEST(Metrics, MeanAbsoluteError) {
  EXPECT_DOUBLE_EQ(mean_absolute_error(kPredicted, kTruth), 3.9);
}

TEST(Metrics, CumulativeAccuracyIsStrict) {
  EXPECT_DOUBLE_EQ(cumulative_accuracy(kPredicted, kTruth, 3), 40.0);  // 2, 0 (3 is not < 3)
  EXPECT_DOUBLE_EQ(cumulative_accuracy(kPredicted, kTruth, 5), 60.0);  // 2, 3, 0
  EXPECT_DOUBLE_EQ(cumulative_accuracy(kPredicted, kTruth, 7), 60.0);  // 7 is not < 7
  EXPECT_DOUBLE_EQ(cumulative_accuracy(kPredicted, kTruth, 8), 100.0);
  const AgeMetrics all = age_metrics(kPredicted, kTruth);
  EXPECT_EQ(all.count, 5);
  EXPECT_DOUBLE_EQ(all.ca7, 60.0);
}

TEST(Metrics, MaePerGroup) {
  const auto groups = mae_per_group(kPredicted, kTruth, {"a", "b", "a", "b", "c"});
  EXPECT_DOUBLE_EQ(groups.at("a").mae, 4.75);
  EXPECT_EQ(groups.at("a").count, 2);
  EXPECT_DOUBLE_EQ(groups.at("b").mae, 1.5);
  EXPECT_DOUBLE_EQ(groups.at("c").mae, 7.0);
  // Signed (predicted - true): a: -2 and +7.5; b: +3 and 0; c: -7.
  EXPECT_DOUBLE_EQ(groups.at("a").mean_signed_error, 2.75);
  EXPECT_DOUBLE_EQ(groups.at("b").mean_signed_error, 1.5);
  EXPECT_DOUBLE_EQ(groups.at("c").mean_signed_error, -7.0);
}

TEST(Metrics, AgeBands) {
  EXPECT_EQ(age_band(0), "0-2");
  EXPECT_EQ(age_band(2.9), "0-2");
  EXPECT_EQ(age_band(3), "3-9");
  EXPECT_EQ(age_band(19), "10-19");
  EXPECT_EQ(age_band(45), "40-49");
  EXPECT_EQ(age_band(69.5), "60-69");
  EXPECT_EQ(age_band(70), "70+");
  EXPECT_EQ(age_band(116), "70+");
  EXPECT_EQ(age_bands().size(), 9u);
}

TEST(Metrics, RejectMismatchedOrEmptyInput) {
  EXPECT_THROW(mean_absolute_error({1, 2}, {1}), Error);
  EXPECT_THROW(cumulative_accuracy({}, {}, 3), Error);
}

}  // namespace
}  // namespace faceage
