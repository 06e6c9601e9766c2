#pragma once
// Where a face is: its box, and the geometry a crop needs (the angle that levels the
// eyes and the box in the photo so rotated). Every stage that handles boxes (detection's
// NMS, alignment, crops, framing, the video tracker) uses these definitions.
#include <algorithm>
#include <optional>

#include <opencv2/core.hpp>

namespace faceage {

// An axis-aligned box in pixel-edge coordinates (pixel i spans [i, i + 1)): x1, y1
// top-left; x2, y2 bottom-right. Not clamped: a face cut by the border may reach outside.
struct FaceBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width() const { return x2 - x1; }
  double height() const { return y2 - y1; }
  cv::Point2d centre() const { return {(x1 + x2) / 2, (y1 + y2) / 2}; }
  double area() const { return std::max(0.0, width()) * std::max(0.0, height()); }
  bool contains(cv::Point2d point) const {
    return point.x >= x1 && point.x <= x2 && point.y >= y1 && point.y <= y2;
  }
  FaceBox shifted(cv::Point2d offset) const {
    return {x1 + offset.x, y1 + offset.y, x2 + offset.x, y2 + offset.y};
  }
};

inline double intersection_area(const FaceBox& a, const FaceBox& b) {
  const double width = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const double height = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  return std::max(0.0, width) * std::max(0.0, height);
}

// Intersection over union; 0 when both are empty.
inline double intersection_over_union(const FaceBox& a, const FaceBox& b) {
  const double intersection = intersection_area(a, b);
  const double union_area = a.area() + b.area() - intersection;
  return union_area > 0 ? intersection / union_area : 0;
}

// Where a face lies in a photo, as a crop takes it (crop.h) and as `faceage align` keeps
// it per dataset row: rotate the photo by `angle` (degrees, counter-clockwise on screen,
// expanded canvas), then the face is `box` of the rotated photo. Without a box the whole
// (rotated) photo is the face, as for datasets of ready-made crops.
struct FaceGeometry {
  std::optional<double> angle;
  std::optional<FaceBox> box;
};

}  // namespace faceage
