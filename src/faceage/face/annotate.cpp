#include "faceage/face/annotate.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "faceage/face/crop.h"

namespace faceage {
namespace {

const cv::Scalar kGreen(0, 200, 0), kYellow(0, 220, 220), kBlue(255, 120, 0), kRed(0, 0, 255),
    kMagenta(255, 0, 255), kWhite(255, 255, 255), kGrey(60, 60, 60);

// Line widths and text sizes that stay readable on small and large photos alike.
int thickness_for(const cv::Mat& image) {
  return std::max(1, static_cast<int>(std::lround(std::max(image.cols, image.rows) / 300.0)));
}

void draw_landmarks(cv::Mat& canvas, const std::array<cv::Point2d, 5>& points, int thickness) {
  const cv::Scalar colours[5] = {kBlue, kBlue, kRed, kMagenta, kMagenta};
  for (size_t k = 0; k < points.size(); ++k)
    cv::circle(canvas, points[k], 2 * thickness, colours[k], cv::FILLED, cv::LINE_AA);
}

void label(cv::Mat& canvas, const std::string& text, cv::Point origin, double scale,
           int thickness) {
  cv::putText(canvas, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, kGrey, thickness + 2,
              cv::LINE_AA);
  cv::putText(canvas, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, kWhite, thickness,
              cv::LINE_AA);
}

}  // namespace

cv::Mat draw_faces(const cv::Mat& image, const std::vector<DetectedFace>& faces) {
  cv::Mat canvas = image.clone();
  const int thickness = thickness_for(image);
  const double text_scale = 0.4 * thickness;
  for (size_t i = 0; i < faces.size(); ++i) {
    const DetectedFace& face = faces[i];
    const cv::Point top_left(static_cast<int>(std::lround(face.box.x1)),
                             static_cast<int>(std::lround(face.box.y1)));
    const cv::Point bottom_right(static_cast<int>(std::lround(face.box.x2)),
                                 static_cast<int>(std::lround(face.box.y2)));
    cv::rectangle(canvas, top_left, bottom_right, i == 0 ? kGreen : kYellow, thickness,
                  cv::LINE_AA);
    draw_landmarks(canvas, face.landmarks, thickness);
    label(canvas, fmt::format("{:.3f}", face.score), top_left + cv::Point(0, -3 * thickness),
          text_scale, std::max(1, thickness / 2));
  }
  return canvas;
}

cv::Mat annotate_alignment(const cv::Mat& image, const std::vector<DetectedFace>& faces,
                           const Alignment& alignment, double margin) {
  const cv::Mat left = draw_faces(image, faces);
  const int thickness = thickness_for(image);
  cv::Mat right;
  if (alignment.face) {
    const AlignedFace& face = *alignment.face;
    cv::Mat crop = crop_face(image, face.geometry(), margin);
    // The crop's origin in the rotated photo, to place the landmarks on it.
    const cv::Size canvas = expanded_rotation(image.size(), face.angle).canvas;
    const FaceBox region = expand_box(face.face.box, margin, canvas);
    const cv::Rect pixels = pixel_rect(region, canvas);
    const double scale = static_cast<double>(image.rows) / crop.rows;
    cv::resize(crop, right, cv::Size(), scale, scale,
               scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    std::array<cv::Point2d, 5> points = face.face.landmarks;
    for (cv::Point2d& p : points) p = (p - cv::Point2d(pixels.x, pixels.y)) * scale;
    cv::line(right, points[kLeftEye], points[kRightEye], kBlue, std::max(1, thickness / 2),
             cv::LINE_AA);
    draw_landmarks(right, points, thickness);
    label(right,
          fmt::format("{:+.1f} deg, margin {:.0f}%{}", face.angle, 100 * margin,
                      face.second_pass ? "" : " (1 pass)"),
          cv::Point(4 * thickness, right.rows - 4 * thickness), 0.4 * thickness,
          std::max(1, thickness / 2));
  } else {
    right = cv::Mat(image.rows, image.rows / 2 + 1, CV_8UC3, cv::Scalar::all(30));
    label(right, alignment.faces_found == 0 ? "no face" : "several faces",
          cv::Point(4 * thickness, image.rows / 2), 0.5 * thickness, std::max(1, thickness / 2));
  }
  cv::Mat out;
  cv::hconcat(left, right, out);
  return out;
}

}  // namespace faceage
