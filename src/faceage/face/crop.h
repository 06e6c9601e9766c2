#pragma once
// The one face crop, shared by training and prediction (paper §4.3, §4.5): rotate the
// photo by the alignment angle on an expanded canvas, then cut out the face box grown by
// a margin ratio. Images are 8-bit BGR cv::Mat, as everywhere in the pipeline.
#include <optional>

#include <opencv2/core.hpp>

#include "faceage/face/face_box.h"

namespace faceage {

// A rotation about the image centre onto a canvas large enough to hold the whole rotated
// image, so no corner is cut off. Positive angles turn the picture counter-clockwise on
// screen (cv::getRotationMatrix2D's convention). Points are in pixel-index coordinates:
// (0, 0) is the centre of the top-left pixel.
struct ExpandedRotation {
  cv::Matx23d transform;  // source point -> rotated canvas point
  cv::Size canvas;        // size of the rotated image
};

ExpandedRotation expanded_rotation(cv::Size image_size, double angle_degrees);

// Where a point of the source image lies in the rotated image (e.g. MTCNN landmarks).
cv::Point2d rotate_point(const ExpandedRotation& rotation, cv::Point2d point);

// The whole image rotated (bilinear, black corners), canvas sized by expanded_rotation.
cv::Mat rotate_expanded(const cv::Mat& image, double angle_degrees);

// rotate_expanded(image, ...)(region), computed for the region's pixels only.
cv::Mat rotated_region(const cv::Mat& image, const ExpandedRotation& rotation,
                       const cv::Rect& region);

// The box with width and height multiplied by (1 + margin) about its centre; sides that
// leave the image are moved to the image border (paper §4.5: "we simply take the border
// of the image"). Throws faceage::Error for a negative margin or an inverted box.
FaceBox expand_box(const FaceBox& box, double margin, cv::Size image_size);

// The box as whole pixels: edges rounded to the nearest pixel boundary, clamped to the
// image. Throws faceage::Error when nothing of the box lies inside the image.
cv::Rect pixel_rect(const FaceBox& box, cv::Size image_size);

// The face as its own image (never sharing pixels with `image`):
// - angle and box: rotate by the angle, crop the box (in the rotated frame) grown by margin;
// - box only: the same without rotation;
// - angle only: the whole rotated image;
// - neither (pre-aligned sets such as UTKFace): the whole image.
// The rotation is computed only for the cropped region, so a crop costs its own size.
cv::Mat crop_face(const cv::Mat& image, const std::optional<double>& angle_degrees,
                  const std::optional<FaceBox>& box, double margin);

// Where a model's training crops sit around the face box MTCNN finds, for models trained
// on faces someone else cropped (UTKFace's aligned crops): the crop is scale_x x box width
// by scale_y x box height, centred shift_x box widths right of and shift_y box heights
// below the box centre. `faceage export --frame-from DATA` measures it on the training data.
struct FaceFrame {
  double scale_x = 1, scale_y = 1;
  double shift_x = 0, shift_y = 0;
};

// The region frame_box says, in the photo rotated by angle_degrees (expanded canvas).
FaceBox frame_box(const FaceBox& box, const FaceFrame& frame);

// That region as its own image, cut from the photo rotated by angle_degrees. Unlike
// crop_face nothing is clamped: parts outside the photo are mirrored from inside it, so
// a face near the border keeps the size and place it had in the training crops.
cv::Mat crop_frame(const cv::Mat& image, double angle_degrees, const FaceBox& box,
                   const FaceFrame& frame);

inline cv::Mat crop_face(const cv::Mat& image, const FaceGeometry& face, double margin) {
  return crop_face(image, face.angle, face.box, margin);
}

}  // namespace faceage
