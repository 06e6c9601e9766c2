#include "faceage/model/network_input.h"

#include "faceage/face/crop.h"

namespace faceage {

cv::Mat network_input_face(const cv::Mat& photo, const FaceGeometry& face,
                           const Preprocessing& p) {
  if (face.box && p.frame)
    return resize_to_input(crop_frame(photo, face.angle.value_or(0.0), *face.box, *p.frame),
                           p.input_size);
  if (!face.box && !face.angle) return resize_to_input(photo, p.input_size);
  return resize_to_input(crop_face(photo, face, p.margin), p.input_size);
}

}  // namespace faceage
