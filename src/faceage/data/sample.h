#pragma once
// The one row type that travels from a dataset on disk to the trainer: an image and its
// labels, with the alignment found by `faceage align` when there is one.
#include <optional>
#include <string>

#include "faceage/face/face_box.h"

namespace faceage {

inline constexpr int kUnknownLabel = -1;

struct Sample {
  std::string image_path;
  double age = 0;
  int gender = kUnknownLabel;     // 0 male, 1 female (UTKFace, MORPH convention)
  int ethnicity = kUnknownLabel;  // 0 White, 1 Black, 2 Asian, 3 Indian, 4 Other
  std::string subject;            // person id where the dataset has one (subject-disjoint splits)
  std::optional<double> angle;    // degrees the image is rotated by to level the eyes
  std::optional<FaceBox> box;     // face box in the rotated image

  FaceGeometry geometry() const { return {angle, box}; }
};

}  // namespace faceage
