#pragma once
// Small charts drawn with OpenCV, so training curves and confusion plots need no
// plotting library: line charts of named series and a count heat map.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace faceage {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

// One panel with axes, round ticks (axis_ticks), a line per series and a legend sized to
// its names, in the corner of the panel that the lines cross least.
cv::Mat line_chart(const std::string& title, const std::string& x_label,
                   const std::vector<Series>& series, cv::Size size = {640, 400});

// counts[row][column] as a heat map (log scale), rows drawn bottom-up, with axis labels.
cv::Mat heat_map(const std::string& title, const std::string& x_label, const std::string& y_label,
                 const std::vector<std::vector<double>>& counts, double axis_max,
                 cv::Size size = {560, 560});

// Round tick values inside [lo, hi], about `count` of them: steps of 1, 2 or 5 times a
// power of ten, so an epoch axis is ticked at whole epochs (1, 2, ... 6, not 2.2 and 3.5).
std::vector<double> axis_ticks(double lo, double hi, int count = 5);

// Side by side, same height.
cv::Mat hstack(const std::vector<cv::Mat>& panels);

}  // namespace faceage
