#include "faceage/face/crop.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"

namespace faceage {
namespace {

// ceil() that ignores floating-point noise: 200 * cos(90°) + 200 must give 200, not 201.
int ceil_tolerant(double value) { return static_cast<int>(std::ceil(value - 1e-6)); }

int round_to_int(double value) { return static_cast<int>(std::floor(value + 0.5)); }

cv::Mat warp(const cv::Mat& image, const cv::Matx23d& transform, cv::Size size,
             int border = cv::BORDER_CONSTANT) {
  cv::Mat rotated;
  cv::warpAffine(image, rotated, cv::Mat(transform), size, cv::INTER_LINEAR, border,
                 cv::Scalar::all(0));
  return rotated;
}

}  // namespace

ExpandedRotation expanded_rotation(cv::Size image_size, double angle_degrees) {
  if (image_size.width <= 0 || image_size.height <= 0)
    fail("cannot rotate an empty {}x{} image", image_size.width, image_size.height);
  if (!std::isfinite(angle_degrees)) fail("rotation angle {} is not a finite number", angle_degrees);
  const double radians = angle_degrees * CV_PI / 180.0;
  const double cos_a = std::abs(std::cos(radians));
  const double sin_a = std::abs(std::sin(radians));
  const double w = image_size.width;
  const double h = image_size.height;
  ExpandedRotation rotation;
  rotation.canvas = cv::Size(ceil_tolerant(w * cos_a + h * sin_a), ceil_tolerant(w * sin_a + h * cos_a));
  const cv::Point2f centre(static_cast<float>((w - 1) / 2), static_cast<float>((h - 1) / 2));
  cv::Mat matrix = cv::getRotationMatrix2D(centre, angle_degrees, 1.0);
  matrix.convertTo(matrix, CV_64F);
  rotation.transform = cv::Matx23d(matrix);
  // Move the centre to the centre of the larger canvas.
  rotation.transform(0, 2) += (rotation.canvas.width - w) / 2;
  rotation.transform(1, 2) += (rotation.canvas.height - h) / 2;
  return rotation;
}

cv::Point2d rotate_point(const ExpandedRotation& rotation, cv::Point2d point) {
  const cv::Matx23d& m = rotation.transform;
  return {m(0, 0) * point.x + m(0, 1) * point.y + m(0, 2),
          m(1, 0) * point.x + m(1, 1) * point.y + m(1, 2)};
}

cv::Mat rotate_expanded(const cv::Mat& image, double angle_degrees) {
  const ExpandedRotation rotation = expanded_rotation(image.size(), angle_degrees);
  return warp(image, rotation.transform, rotation.canvas);
}

FaceBox expand_box(const FaceBox& box, double margin, cv::Size image_size) {
  if (!(margin >= 0)) fail("crop margin {} must be a ratio >= 0 (e.g. 0.2 for 20%)", margin);
  if (!(box.x2 > box.x1) || !(box.y2 > box.y1))
    fail("face box ({}, {})-({}, {}) is empty or inverted", box.x1, box.y1, box.x2, box.y2);
  const double half_width = box.width() * (1 + margin) / 2;
  const double half_height = box.height() * (1 + margin) / 2;
  const cv::Point2d centre = box.centre();
  const double cx = centre.x, cy = centre.y;
  const double width = image_size.width;
  const double height = image_size.height;
  return {std::clamp(cx - half_width, 0.0, width), std::clamp(cy - half_height, 0.0, height),
          std::clamp(cx + half_width, 0.0, width), std::clamp(cy + half_height, 0.0, height)};
}

cv::Rect pixel_rect(const FaceBox& box, cv::Size image_size) {
  const auto clamp_x = [&](double x) { return std::clamp(round_to_int(x), 0, image_size.width); };
  const auto clamp_y = [&](double y) { return std::clamp(round_to_int(y), 0, image_size.height); };
  if (!std::isfinite(box.x1) || !std::isfinite(box.y1) || !std::isfinite(box.x2) ||
      !std::isfinite(box.y2))
    fail("face box has a coordinate that is not a finite number");
  const int x1 = clamp_x(box.x1), x2 = clamp_x(box.x2);
  const int y1 = clamp_y(box.y1), y2 = clamp_y(box.y2);
  if (x2 <= x1 || y2 <= y1)
    fail("face box ({}, {})-({}, {}) has no pixel inside the {}x{} image", box.x1, box.y1,
         box.x2, box.y2, image_size.width, image_size.height);
  return {x1, y1, x2 - x1, y2 - y1};
}

cv::Mat crop_face(const cv::Mat& image, const std::optional<double>& angle_degrees,
                  const std::optional<FaceBox>& box, double margin) {
  if (image.empty()) fail("cannot crop a face from an empty image");
  const bool rotate = angle_degrees.has_value() && *angle_degrees != 0.0;
  if (!box) return rotate ? rotate_expanded(image, *angle_degrees) : image.clone();
  if (!rotate) return image(pixel_rect(expand_box(*box, margin, image.size()), image.size())).clone();

  const ExpandedRotation rotation = expanded_rotation(image.size(), *angle_degrees);
  return rotated_region(image, rotation,
                        pixel_rect(expand_box(*box, margin, rotation.canvas), rotation.canvas));
}

cv::Mat rotated_region(const cv::Mat& image, const ExpandedRotation& rotation,
                       const cv::Rect& region) {
  // Rotating straight into the region gives the same pixels as rotate-then-crop.
  cv::Matx23d to_region = rotation.transform;
  to_region(0, 2) -= region.x;
  to_region(1, 2) -= region.y;
  return warp(image, to_region, region.size());
}

FaceBox frame_box(const FaceBox& box, const FaceFrame& frame) {
  if (!(frame.scale_x > 0) || !(frame.scale_y > 0))
    fail("face frame scale ({}, {}) must be positive", frame.scale_x, frame.scale_y);
  const double cx = box.centre().x + frame.shift_x * box.width();
  const double cy = box.centre().y + frame.shift_y * box.height();
  const double half_width = frame.scale_x * box.width() / 2;
  const double half_height = frame.scale_y * box.height() / 2;
  return {cx - half_width, cy - half_height, cx + half_width, cy + half_height};
}

cv::Mat crop_frame(const cv::Mat& image, double angle_degrees, const FaceBox& box,
                   const FaceFrame& frame) {
  if (image.empty()) fail("cannot crop a face from an empty image");
  if (!(box.x2 > box.x1) || !(box.y2 > box.y1))
    fail("face box ({}, {})-({}, {}) is empty or inverted", box.x1, box.y1, box.x2, box.y2);
  const FaceBox region = frame_box(box, frame);
  const int x = round_to_int(region.x1), y = round_to_int(region.y1);
  const cv::Size size(std::max(1, round_to_int(region.x2) - x), std::max(1, round_to_int(region.y2) - y));
  cv::Matx23d to_region = expanded_rotation(image.size(), angle_degrees).transform;
  to_region(0, 2) -= x;
  to_region(1, 2) -= y;
  return warp(image, to_region, size, cv::BORDER_REFLECT_101);
}

}  // namespace faceage
