// The charts: round tick values (whole epochs on an epoch axis), and a legend that stays
// off the lines.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

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

// The plotting area inside plot.cpp's margins, inset by 2 pixels so that the frame, ticks
// and title lie outside it.
cv::Rect inner_area(const cv::Mat& chart) {
  return {62, 32, chart.cols - 62 - 22, chart.rows - 32 - 47};
}

// The quadrant of the plotting area that holds the legend: the one with dark pixels (its
// text). Nothing else drawn inside the area is dark: lines are coloured, grid lines grey.
// "none" or "several" when the legend's text is not in exactly one.
std::string legend_quadrant(const cv::Mat& chart) {
  const cv::Rect area = inner_area(chart);
  std::vector<std::string> holding;
  for (const bool top : {true, false})
    for (const bool right : {true, false}) {
      const cv::Rect quadrant(area.x + (right ? area.width / 2 : 0),
                              area.y + (top ? 0 : area.height / 2), area.width / 2,
                              area.height / 2);
      bool dark = false;
      for (int y = quadrant.y; y < quadrant.br().y && !dark; ++y)
        for (int x = quadrant.x; x < quadrant.br().x && !dark; ++x) {
          const cv::Vec3b& p = chart.at<cv::Vec3b>(y, x);
          dark = p[0] < 90 && p[1] < 90 && p[2] < 90;
        }
      if (dark)
        holding.push_back(std::string(top ? "top" : "bottom") + (right ? " right" : " left"));
    }
  return holding.empty() ? "none" : holding.size() > 1 ? "several" : holding[0];
}

TEST(LineChart, LegendSitsInTheTopRightWhenTheLinesLeaveItFree) {
  const cv::Mat chart = line_chart("loss", "epoch", {{"falling", {1, 2, 3, 4}, {4, 3, 2, 1}}});
  EXPECT_EQ(legend_quadrant(chart), "top right");
}

TEST(LineChart, LegendMovesOffALineThatEndsTopRight) {
  // A rising line crosses the top right and the bottom left; the top left is free.
  const cv::Mat chart = line_chart("MAE", "epoch", {{"rising", {1, 2, 3, 4}, {1, 2, 3, 4}}});
  EXPECT_EQ(legend_quadrant(chart), "top left");
}

TEST(LineChart, LegendTakesTheCornerTheLinesCrossLeast) {
  // High lines fill the top; a falling line crosses the bottom right, so the bottom left
  // is the only free corner.
  const cv::Mat chart = line_chart("loss", "epoch",
                                   {{"high", {1, 2, 3, 4}, {9, 9.5, 10, 10}},
                                    {"falling", {1, 2, 3, 4}, {10, 6, 2, 0}}});
  EXPECT_EQ(legend_quadrant(chart), "bottom left");
}

TEST(LineChart, WhenEveryCornerIsCrossedTheAxisMakesRoomForTheLegend) {
  // Crossing lines fill all four corners. The rising line's end (top right) must stay
  // visible: drawn under the legend box, not hidden by it.
  const cv::Mat chart = line_chart("loss", "epoch",
                                   {{"rising", {1, 2, 3, 4}, {1, 2, 3, 4}},
                                    {"falling", {1, 2, 3, 4}, {4, 3, 2, 1}}});
  EXPECT_EQ(legend_quadrant(chart), "top right");
  const cv::Rect area = inner_area(chart);
  const int column = area.br().x - 4;  // under the legend box's right end
  int rising_pixels = 0;               // in the rising line's colour, BGR (180, 119, 31)
  for (int y = area.y; y < area.y + area.height / 2; ++y) {
    const cv::Vec3b& p = chart.at<cv::Vec3b>(y, column);
    if (std::abs(p[0] - 180) < 40 && std::abs(p[1] - 119) < 40 && std::abs(p[2] - 31) < 40)
      ++rising_pixels;
  }
  EXPECT_GT(rising_pixels, 0);
}

}  // namespace
}  // namespace faceage
