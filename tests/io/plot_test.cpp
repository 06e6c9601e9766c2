// The charts: round tick values (whole epochs on an epoch axis), and a legend that stays
// off the lines.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>

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

// Dark pixels (the legend's text) inside one quadrant of the plotting area. Nothing else
// drawn inside the area is dark: lines are coloured, grid lines grey; the frame, ticks and
// title lie outside the inset used here.
int dark_pixels(const cv::Mat& chart, bool top, bool right) {
  const cv::Rect area(62, 32, chart.cols - 62 - 22, chart.rows - 32 - 47);  // plot.cpp's margins
  const cv::Rect quadrant(area.x + (right ? area.width / 2 : 0), area.y + (top ? 0 : area.height / 2),
                          area.width / 2, area.height / 2);
  int dark = 0;
  for (int y = quadrant.y; y < quadrant.y + quadrant.height; ++y)
    for (int x = quadrant.x; x < quadrant.x + quadrant.width; ++x) {
      const cv::Vec3b& p = chart.at<cv::Vec3b>(y, x);
      if (p[0] < 90 && p[1] < 90 && p[2] < 90) ++dark;
    }
  return dark;
}

TEST(LineChart, LegendSitsInTheTopRightWhenTheLinesLeaveItFree) {
  const cv::Mat chart = line_chart("loss", "epoch", {{"falling", {1, 2, 3, 4}, {4, 3, 2, 1}}});
  EXPECT_GT(dark_pixels(chart, true, true), 0);
  EXPECT_EQ(dark_pixels(chart, true, false), 0);
  EXPECT_EQ(dark_pixels(chart, false, true), 0);
  EXPECT_EQ(dark_pixels(chart, false, false), 0);
}

TEST(LineChart, LegendMovesOffALineThatEndsTopRight) {
  // A rising line crosses the top right and the bottom left; the top left is free.
  const cv::Mat chart = line_chart("MAE", "epoch", {{"rising", {1, 2, 3, 4}, {1, 2, 3, 4}}});
  EXPECT_GT(dark_pixels(chart, true, false), 0);
  EXPECT_EQ(dark_pixels(chart, true, true), 0);
  EXPECT_EQ(dark_pixels(chart, false, true), 0);
  EXPECT_EQ(dark_pixels(chart, false, false), 0);
}

TEST(LineChart, LegendTakesTheCornerTheLinesCrossLeast) {
  // High lines fill the top; a falling line crosses the bottom right, so the bottom left
  // is the only free corner.
  const cv::Mat chart = line_chart("loss", "epoch",
                                   {{"high", {1, 2, 3, 4}, {9, 9.5, 10, 10}},
                                    {"falling", {1, 2, 3, 4}, {10, 6, 2, 0}}});
  EXPECT_GT(dark_pixels(chart, false, false), 0);
  EXPECT_EQ(dark_pixels(chart, true, true), 0);
  EXPECT_EQ(dark_pixels(chart, true, false), 0);
  EXPECT_EQ(dark_pixels(chart, false, true), 0);
}

TEST(LineChart, WhenEveryCornerIsCrossedTheAxisMakesRoomForTheLegend) {
  // Crossing lines fill all four corners. The rising line's end (top right) must stay
  // visible: drawn under the legend box, not hidden by it.
  const cv::Mat chart = line_chart("loss", "epoch",
                                   {{"rising", {1, 2, 3, 4}, {1, 2, 3, 4}},
                                    {"falling", {1, 2, 3, 4}, {4, 3, 2, 1}}});
  EXPECT_GT(dark_pixels(chart, true, true), 0) << "the legend, top right";
  const int column = chart.cols - 22 - 4, top = 32, middle = 32 + (chart.rows - 32 - 47) / 2;
  int rising_pixels = 0;  // in the rising line's colour, BGR (180, 119, 31)
  for (int y = top; y < middle; ++y) {
    const cv::Vec3b& p = chart.at<cv::Vec3b>(y, column);
    if (std::abs(p[0] - 180) < 40 && std::abs(p[1] - 119) < 40 && std::abs(p[2] - 31) < 40)
      ++rising_pixels;
  }
  EXPECT_GT(rising_pixels, 0);
}

}  // namespace
}  // namespace faceage
