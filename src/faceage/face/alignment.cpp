#include "faceage/face/alignment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <opencv2/core.hpp>

#include "faceage/core/error.h"
#include "faceage/face/crop.h"

namespace faceage {
namespace {

constexpr double kDegreesPerRadian = 180.0 / 3.14159265358979323846;

cv::Point2d landmark_centre(const DetectedFace& face) {
  cv::Point2d sum(0, 0);
  for (const cv::Point2d& point : face.landmarks) sum += point;
  return sum / static_cast<double>(face.landmarks.size());
}

// FaceBox edges are pixel boundaries (pixel i spans [i, i + 1)); rotate_point works in
// pixel-index coordinates (pixel i's centre is i): half a pixel apart.
cv::Point2d rotate_edge_point(const ExpandedRotation& rotation, cv::Point2d point) {
  const cv::Point2d half(0.5, 0.5);
  return rotate_point(rotation, point - half) + half;
}

// The box of the unrotated photo in the rotated one: same size, centre carried.
FaceBox carried_box(const ExpandedRotation& rotation, const FaceBox& box) {
  const cv::Point2d centre = rotate_edge_point(rotation, box.centre());
  const double half_width = box.width() / 2, half_height = box.height() / 2;
  return {centre.x - half_width, centre.y - half_height, centre.x + half_width,
          centre.y + half_height};
}

// A face found in a part of a picture, carried into the whole picture's coordinates.
void move_face(DetectedFace& face, cv::Point2d offset) {
  face.box = face.box.shifted(offset);
  for (cv::Point2d& point : face.landmarks) point += offset;
}

// The face among `faces` (rotated-canvas coordinates) whose box holds `target`, nearest
// centre first.
const DetectedFace* face_at(const std::vector<DetectedFace>& faces, cv::Point2d target) {
  const DetectedFace* same = nullptr;
  double nearest = std::numeric_limits<double>::infinity();
  for (const DetectedFace& face : faces) {
    const double distance = cv::norm(face.box.centre() - target);
    if (face.box.contains(target) && distance < nearest) nearest = distance, same = &face;
  }
  return same;
}

// The part of the rotated canvas that can hold the face again: `sides` times the first
// box's longer side, centred on the face, clipped to the canvas; empty for sides <= 0.
cv::Rect search_window(const ExpandedRotation& rotation, cv::Point2d target, const FaceBox& box,
                       double sides) {
  if (!(sides > 0)) return {};
  const double half = sides * std::max(box.width(), box.height()) / 2;
  const cv::Rect window(cv::Point(static_cast<int>(std::floor(target.x - half)),
                                  static_cast<int>(std::floor(target.y - half))),
                        cv::Point(static_cast<int>(std::ceil(target.x + half)),
                                  static_cast<int>(std::ceil(target.y + half))));
  return window & cv::Rect(cv::Point(0, 0), rotation.canvas);
}

// O-Net alone on the first box carried through the rotation (SecondPass::refine): only
// the pixels around the box are rotated.
std::optional<DetectedFace> refine_again(const FaceDetector& detector, const cv::Mat& image,
                                       const ExpandedRotation& rotation, cv::Point2d target,
                                       const FaceBox& first_box) {
  const FaceBox box = carried_box(rotation, first_box);
  // A little more than the square O-Net crops, so that rounding never cuts it.
  const cv::Rect region = search_window(rotation, box.centre(), first_box, 1.5);
  if (region.empty()) return std::nullopt;
  const FaceBox in_region = {box.x1 - region.x, box.y1 - region.y, box.x2 - region.x,
                             box.y2 - region.y};
  std::optional<DetectedFace> face =
      detector.refine(rotated_region(image, rotation, region), {in_region})[0];
  if (!face) return std::nullopt;
  move_face(*face, cv::Point2d(region.x, region.y));
  if (!face_at({*face}, target)) return std::nullopt;
  return face;
}

// Detects again on the photo rotated by `angle` and returns the face whose box holds
// `centre` (a point of the unrotated photo, carried by the rotation), nearest first.
// With SecondPass::refine O-Net alone tries first.
// Only a window around the face is rotated and searched (options.search_window): MTCNN's
// cost grows with the pixels searched, and the whole rotated photo cost as much as the
// first detection. The whole photo is searched when the window holds no face.
std::optional<DetectedFace> find_again(const FaceDetector& detector, const cv::Mat& image,
                                     double angle, cv::Point2d centre, const FaceBox& first_box,
                                     const AlignmentOptions& options) {
  const ExpandedRotation rotation = expanded_rotation(image.size(), angle);
  const cv::Point2d target = rotate_point(rotation, centre);
  if (options.second_pass == SecondPass::refine)
    if (std::optional<DetectedFace> found = refine_again(detector, image, rotation, target, first_box))
      return found;
  const cv::Rect window = search_window(rotation, target, first_box, options.search_window);
  if (!window.empty()) {
    std::vector<DetectedFace> faces =
        detect_faces(detector, rotated_region(image, rotation, window), options);
    for (DetectedFace& face : faces) move_face(face, cv::Point2d(window.x, window.y));
    if (const DetectedFace* same = face_at(faces, target)) return *same;
  }
  const std::vector<DetectedFace> faces =
      detect_faces(detector, rotate_expanded(image, angle), options);
  if (const DetectedFace* same = face_at(faces, target)) return *same;
  return std::nullopt;
}

}  // namespace

FacePolicy face_policy_from_name(const std::string& name) {
  if (name == "largest") return FacePolicy::largest;
  if (name == "central" || name == "most-central" || name == "most_central")
    return FacePolicy::most_central;
  if (name == "skip") return FacePolicy::skip;
  fail("face policy '{}' is not one of: largest, central, skip", name);
}

std::string face_policy_name(FacePolicy policy) {
  switch (policy) {
    case FacePolicy::largest:
      return "largest";
    case FacePolicy::most_central:
      return "central";
    case FacePolicy::skip:
      return "skip";
  }
  return "?";
}

PadBorder pad_border_from_name(const std::string& name) {
  if (name == "constant") return PadBorder::constant;
  if (name == "replicate") return PadBorder::replicate;
  if (name == "reflect") return PadBorder::reflect;
  fail("padding border '{}' is not one of: constant, replicate, reflect", name);
}

std::string pad_border_name(PadBorder border) {
  switch (border) {
    case PadBorder::constant:
      return "constant";
    case PadBorder::replicate:
      return "replicate";
    case PadBorder::reflect:
      return "reflect";
  }
  return "?";
}

SecondPass second_pass_from_name(const std::string& name) {
  if (name == "detect") return SecondPass::detect;
  if (name == "refine") return SecondPass::refine;
  fail("second pass '{}' is not one of: detect, refine", name);
}

std::string second_pass_name(SecondPass pass) {
  return pass == SecondPass::refine ? "refine" : "detect";
}

double eye_line_angle(const DetectedFace& face) {
  const cv::Point2d left = face.landmarks[kLeftEye], right = face.landmarks[kRightEye];
  return std::atan2(right.y - left.y, right.x - left.x) * kDegreesPerRadian;
}

std::vector<DetectedFace> detect_faces(const FaceDetector& detector, const cv::Mat& image,
                                       const AlignmentOptions& options) {
  std::vector<DetectedFace> faces = detector.detect(image);
  if (!faces.empty() || !(options.pad_ratio > 0)) return faces;

  const int pad = static_cast<int>(std::ceil(options.pad_ratio * std::max(image.rows, image.cols)));
  const int border = options.pad_border == PadBorder::constant    ? cv::BORDER_CONSTANT
                     : options.pad_border == PadBorder::replicate ? cv::BORDER_REPLICATE
                                                                  : cv::BORDER_REFLECT_101;
  cv::Mat bigger;
  cv::copyMakeBorder(image, bigger, pad, pad, pad, pad, border, cv::Scalar::all(0));
  faces = detector.detect(bigger);
  for (DetectedFace& face : faces) {
    move_face(face, cv::Point2d(-pad, -pad));
    face.padded = true;
  }
  return faces;
}

const DetectedFace* choose_face(const std::vector<DetectedFace>& faces, cv::Size image_size,
                                FacePolicy policy) {
  if (faces.empty()) return nullptr;
  if (faces.size() == 1) return &faces[0];
  const cv::Point2d centre(image_size.width / 2.0, image_size.height / 2.0);
  const DetectedFace* best = nullptr;
  double best_value = std::numeric_limits<double>::infinity();
  for (const DetectedFace& face : faces) {
    double value = 0;
    switch (policy) {
      case FacePolicy::largest:
        value = -face.box.area();
        break;
      case FacePolicy::most_central:
        value = cv::norm(face.box.centre() - centre);
        break;
      case FacePolicy::skip:
        return nullptr;
    }
    if (value < best_value) best_value = value, best = &face;
  }
  return best;
}

Alignment align_face(const FaceDetector& detector, const cv::Mat& image,
                     const AlignmentOptions& options) {
  Alignment result;
  const std::vector<DetectedFace> faces = detect_faces(detector, image, options);
  result.faces_found = static_cast<int>(faces.size());
  const DetectedFace* chosen = choose_face(faces, image.size(), options.policy);
  if (chosen) result.face = align_detected_face(detector, image, *chosen, options);
  return result;
}

AlignedFace align_detected_face(const FaceDetector& detector, const cv::Mat& image,
                                const DetectedFace& first, const AlignmentOptions& options) {
  // Pass 1 gave the eye angle; pass 2 finds the face in the rotated photo (§4.3).
  AlignedFace aligned;
  aligned.detection = first;
  aligned.angle = eye_line_angle(first);
  const cv::Point2d first_centre = landmark_centre(first);
  std::optional<DetectedFace> found =
      find_again(detector, image, aligned.angle, first_centre, first.box, options);
  // Optional further passes (not in the paper): turn by what is left of the tilt while
  // that shrinks.
  for (int pass = 0; pass < options.refine_passes && found &&
                     std::abs(eye_line_angle(*found)) > options.refine_above_degrees;
       ++pass) {
    const double refined = aligned.angle + eye_line_angle(*found);
    std::optional<DetectedFace> again =
        find_again(detector, image, refined, first_centre, first.box, options);
    if (!again || std::abs(eye_line_angle(*again)) >= std::abs(eye_line_angle(*found)))
      break;
    aligned.angle = refined;
    found = again;
  }
  if (found) {
    aligned.face = *found;
    aligned.residual_angle = eye_line_angle(*found);
    aligned.second_pass = true;
  } else {
    const ExpandedRotation rotation = expanded_rotation(image.size(), aligned.angle);
    aligned.face = first;
    aligned.face.box = carried_box(rotation, first.box);
    for (size_t k = 0; k < first.landmarks.size(); ++k)
      aligned.face.landmarks[k] = rotate_point(rotation, first.landmarks[k]);
  }
  return aligned;
}

}  // namespace faceage
