#include "faceage/io/plot.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

namespace faceage {
namespace {

const cv::Scalar kBlack(0, 0, 0), kGrey(200, 200, 200), kWhite(255, 255, 255);
const cv::Scalar kColours[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},
                               {40, 39, 214},  {189, 103, 148}, {75, 86, 140}};
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kLegendScale = 0.4;
constexpr int kLegendRow = 16, kSwatch = 20;  // pixels: a legend row, a swatch's length

// The k-th series' colour: the lines and the legend's swatches agree.
const cv::Scalar& colour_of(size_t k) { return kColours[k % std::size(kColours)]; }

void text(cv::Mat& image, const std::string& s, cv::Point at, double scale = 0.4,
          cv::Scalar colour = kBlack) {
  cv::putText(image, s, at, kFont, scale, colour, 1, cv::LINE_AA);
}

// As many decimals as the ticks' step needs: 0.2 -> "0.6", 0.05 -> "0.65", 5 -> "15".
std::string tick_label(double v, double step) {
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

// The legend's size: a row per series, wide enough for the longest name.
cv::Size legend_size(const cv::Rect& area, const std::vector<Series>& series) {
  int widest = 0, baseline = 0;
  for (const Series& s : series)
    widest = std::max(widest, cv::getTextSize(s.name, kFont, kLegendScale, 1, &baseline).width);
  return {std::min(area.width - 2, widest + kSwatch + 15),
          std::min(area.height - 2, kLegendRow * static_cast<int>(series.size()) + 6)};
}

// The corner of `area` whose legend-sized box covers the fewest drawn line pixels
// (`lines` is non-zero where a series was drawn), as matplotlib's loc="best" does, and
// that count. Ties go to the top right, then top left, bottom right, bottom left.
std::pair<cv::Rect, int> least_covered_corner(const cv::Mat& lines, const cv::Rect& area,
                                               cv::Size box) {
  const int left = area.x + 1, right = area.x + area.width - box.width - 1;
  const int top = area.y + 1, bottom = area.y + area.height - box.height - 1;
  cv::Rect best;
  int fewest = -1;
  for (const cv::Point corner : {cv::Point(right, top), cv::Point(left, top),
                                 cv::Point(right, bottom), cv::Point(left, bottom)}) {
    const cv::Rect candidate(corner, box);
    const int covered = cv::countNonZero(lines(candidate));
    if (fewest < 0 || covered < fewest) fewest = covered, best = candidate;
  }
  return {best, fewest};
}

void draw_legend(cv::Mat& image, const cv::Rect& box, const std::vector<Series>& series) {
  cv::rectangle(image, box, kWhite, cv::FILLED);
  cv::rectangle(image, box, kGrey);
  for (size_t k = 0; k < series.size(); ++k) {
    const cv::Point swatch(box.x + 5, box.y + 11 + kLegendRow * static_cast<int>(k));
    cv::line(image, swatch, swatch + cv::Point(kSwatch, 0), colour_of(k), 2);
    text(image, series[k].name, swatch + cv::Point(kSwatch + 5, 4), kLegendScale);
  }
}

// The data's extent, 5% padded vertically; a unit range where the data give none.
struct Ranges {
  double x0, x1, y0, y1;
};

Ranges data_ranges(const std::vector<Series>& series) {
  Ranges r{1e300, -1e300, 1e300, -1e300};
  for (const Series& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      r.x0 = std::min(r.x0, s.x[i]), r.x1 = std::max(r.x1, s.x[i]);
      r.y0 = std::min(r.y0, s.y[i]), r.y1 = std::max(r.y1, s.y[i]);
    }
  if (r.x0 > r.x1) r = {0, 1, 0, 1};
  if (r.x1 == r.x0) r.x1 = r.x0 + 1;
  if (r.y1 == r.y0) r.y1 = r.y0 + 1;
  const double pad = (r.y1 - r.y0) * 0.05;
  r.y0 -= pad, r.y1 += pad;
  return r;
}

// Axes, grid, labels and lines over `r`; `lines` comes back non-zero where a series was
// drawn, so the legend can be placed off them.
cv::Mat draw_panel(const std::string& title, const std::string& x_label,
                   const std::vector<Series>& series, cv::Size size, const cv::Rect& area,
                   const Ranges& r, cv::Mat& lines) {
  cv::Mat image(size, CV_8UC3, kWhite);
  lines = cv::Mat(size, CV_8UC1, cv::Scalar(0));
  auto to_pixel = [&](double x, double y) {
    return cv::Point(
        area.x + static_cast<int>((x - r.x0) / (r.x1 - r.x0) * area.width),
        area.y + area.height - static_cast<int>((y - r.y0) / (r.y1 - r.y0) * area.height));
  };
  const std::vector<double> y_ticks = axis_ticks(r.y0, r.y1), x_ticks = axis_ticks(r.x0, r.x1);
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  for (const double y : y_ticks) {
    const cv::Point at = to_pixel(r.x0, y);
    cv::line(image, at, {area.x + area.width, at.y}, kGrey);
    text(image, tick_label(y, y_step), {4, at.y + 4});
  }
  for (const double x : x_ticks)
    text(image, tick_label(x, x_step), {to_pixel(x, r.y0).x - 4, area.y + area.height + 15});
  cv::rectangle(image, area, kBlack);
  text(image, title, {area.x, 20}, 0.5);
  text(image, x_label, {area.x + area.width / 2 - 20, size.height - 8});
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const cv::Scalar& colour = colour_of(k);
    for (size_t i = 1; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i - 1]) && std::isfinite(s.y[i])) {
        const cv::Point from = to_pixel(s.x[i - 1], s.y[i - 1]), to = to_pixel(s.x[i], s.y[i]);
        cv::line(image, from, to, colour, 2, cv::LINE_AA);
        cv::line(lines, from, to, cv::Scalar(255), 3);
      }
    if (s.x.size() == 1) {
      cv::circle(image, to_pixel(s.x[0], s.y[0]), 3, colour, -1);
      cv::circle(lines, to_pixel(s.x[0], s.y[0]), 4, cv::Scalar(255), -1);
    }
  }
  return image;
}

}  // namespace

std::vector<double> axis_ticks(double lo, double hi, int count) {
  if (!(hi > lo) || count < 1) return {lo};
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double multiple = 10;
  for (const double candidate : {1.0, 2.0, 5.0})
    if (raw <= candidate * power * (1 + 1e-9)) {
      multiple = candidate;
      break;
    }
  const double step = multiple * power;
  // k steps as k * multiple / 10^d below 1, the double nearest the decimal (0.6, not
  // 3 * 0.2 = 0.6000000000000001), so that labels and comparisons see round values.
  const auto tick = [&](double k) {
    return power >= 1 ? k * multiple * power : k * multiple / std::round(1 / power);
  };
  std::vector<double> ticks;
  for (double k = std::ceil(lo / step - 1e-9); tick(k) <= hi + step * 1e-9; ++k)
    ticks.push_back(tick(k));
  return ticks;
}

cv::Mat line_chart(const std::string& title, const std::string& x_label,
                   const std::vector<Series>& series, cv::Size size) {
  const int left = 60, right = 20, top = 30, bottom = 45;
  const cv::Rect area(left, top, size.width - left - right, size.height - top - bottom);
  Ranges ranges = data_ranges(series);
  cv::Mat lines;
  cv::Mat image = draw_panel(title, x_label, series, size, area, ranges, lines);
  if (series.empty()) return image;
  const cv::Size box = legend_size(area, series);
  auto [corner, covered] = least_covered_corner(lines, area, box);
  if (covered > 0) {
    // Every corner hides some line: raise the top of the y axis so that the lines pass
    // under a legend in the top right, as one would by hand.
    const int band = box.height + 4;
    ranges.y1 += (ranges.y1 - ranges.y0) * band / std::max(1, area.height - band);
    image = draw_panel(title, x_label, series, size, area, ranges, lines);
    corner = least_covered_corner(lines, area, box).first;
  }
  draw_legend(image, corner, series);
  return image;
}

cv::Mat heat_map(const std::string& title, const std::string& x_label, const std::string& y_label,
                 const std::vector<std::vector<double>>& counts, double axis_max, cv::Size size) {
  cv::Mat image(size, CV_8UC3, kWhite);
  const int left = 50, top = 30, bottom = 45, right = 20;
  const cv::Rect area(left, top, size.width - left - right, size.height - top - bottom);
  const int rows = static_cast<int>(counts.size());
  const int columns = rows > 0 ? static_cast<int>(counts[0].size()) : 0;
  double peak = 0;
  for (const auto& row : counts)
    for (double c : row) peak = std::max(peak, c);
  if (rows > 0 && columns > 0 && peak > 0) {
    cv::Mat cells(rows, columns, CV_8UC1, cv::Scalar(0));
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < columns; ++c)
        cells.at<uchar>(rows - 1 - r, c) = static_cast<uchar>(
            255.0 * std::log1p(counts[static_cast<size_t>(r)][static_cast<size_t>(c)]) /
            std::log1p(peak));
    cv::Mat coloured;
    cv::applyColorMap(255 - cells, coloured, cv::COLORMAP_BONE);
    cv::resize(coloured, image(area), area.size(), 0, 0, cv::INTER_NEAREST);
  }
  cv::rectangle(image, area, kBlack);
  // Diagonal: perfect predictions.
  cv::line(image, {area.x, area.y + area.height}, {area.x + area.width, area.y}, {40, 39, 214}, 1,
           cv::LINE_AA);
  for (int i = 0; i <= 5; ++i) {
    const std::string label = tick_label(axis_max * i / 5, axis_max / 5);
    text(image, label, {area.x + area.width * i / 5 - 6, area.y + area.height + 15});
    text(image, label, {8, area.y + area.height - area.height * i / 5 + 4});
  }
  text(image, title, {left, 20}, 0.5);
  text(image, x_label, {area.x + area.width / 2 - 30, size.height - 8});
  text(image, y_label, {4, area.y - 6});
  return image;
}

cv::Mat hstack(const std::vector<cv::Mat>& panels) {
  cv::Mat out;
  cv::hconcat(panels, out);
  return out;
}

}  // namespace faceage
