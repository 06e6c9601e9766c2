// The charts' axes: round tick values, whole epochs on an epoch axis.
#include <gtest/gtest.h>

#include <cmath>

#include "faceage/io/plot.h"

namespace faceage {
namespace {

TEST(AxisTicks, WholeEpochsOnAnEpochAxis) {
  EXPECT_EQ(axis_ticks(1, 6), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(axis_ticks(1, 80), (std::vector<double>{20, 40, 60, 80}));
}

TEST(AxisTicks, RoundStepsInsideTheRange) {
  for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{
           {0.43, 1.03}, {6.2, 12.3}, {-3, 12}, {2.65, 3.41}, {0, 100}, {1e-4, 3e-4}}) {
    const std::vector<double> ticks = axis_ticks(lo, hi);
    ASSERT_GE(ticks.size(), 2u) << lo << ".." << hi;
    EXPECT_LE(ticks.size(), 11u) << lo << ".." << hi;
    const double step = ticks[1] - ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 ||
                std::abs(mantissa - 5) < 1e-6)
        << lo << ".." << hi << ": step " << step;
    for (const double tick : ticks) {
      EXPECT_GE(tick, lo - 1e-12) << lo << ".." << hi;
      EXPECT_LE(tick, hi + 1e-12) << lo << ".." << hi;
      EXPECT_NEAR(tick / step, std::round(tick / step), 1e-6) << "a multiple of the step";
    }
  }
  EXPECT_EQ(axis_ticks(0.43, 1.03), (std::vector<double>{0.6, 0.8, 1.0}));
  EXPECT_EQ(axis_ticks(-3, 12), (std::vector<double>{0, 5, 10}));
}

TEST(AxisTicks, AnEmptyRangeHasOneTick) {
  EXPECT_EQ(axis_ticks(2, 2), (std::vector<double>{2}));
}

}  // namespace
}  // namespace faceage
