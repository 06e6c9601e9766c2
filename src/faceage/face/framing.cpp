#include "faceage/face/framing.h"

#include <algorithm>

#include "faceage/core/error.h"

namespace faceage {
namespace {

double median(std::vector<double> values) {
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + middle, values.end());
  double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  return (upper + *std::max_element(values.begin(), values.begin() + middle)) / 2;
}

}  // namespace

std::optional<FaceFrame> frame_of_crop(const FaceDetector& detector, const cv::Mat& crop,
                                       const AlignmentOptions& options) {
  const Alignment alignment = align_face(detector, crop, options);
  if (!alignment.face) return std::nullopt;
  const FaceBox& box = alignment.face->face.box;
  // The crop's centre stays the canvas centre under expanded_rotation; the crop's own
  // extent is used for its size (UTKFace crops are level, so the angle is small).
  const cv::Size canvas = expanded_rotation(crop.size(), alignment.face->angle).canvas;
  FaceFrame frame;
  frame.scale_x = crop.cols / box.width();
  frame.scale_y = crop.rows / box.height();
  frame.shift_x = (canvas.width / 2.0 - box.centre().x) / box.width();
  frame.shift_y = (canvas.height / 2.0 - box.centre().y) / box.height();
  return frame;
}

FaceFrame median_frame(const std::vector<FaceFrame>& frames) {
  if (frames.empty()) fail("no face frame to take the median of (no face was found)");
  std::vector<double> values[4];
  for (const FaceFrame& f : frames) {
    values[0].push_back(f.scale_x);
    values[1].push_back(f.scale_y);
    values[2].push_back(f.shift_x);
    values[3].push_back(f.shift_y);
  }
  return {median(values[0]), median(values[1]), median(values[2]), median(values[3])};
}

}  // namespace faceage
