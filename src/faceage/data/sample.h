#pragma once
// The one row type that travels from a dataset on disk to the trainer: an image and its
// labels, with the alignment found by `faceage align` when there is one.
#include <optional>
#include <string>

namespace faceage {

// An axis-aligned box in pixels of the (rotated) image: x1, y1 top-left; x2, y2 bottom-right.
struct FaceBox {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double width() const { return x2 - x1; }
  double height() const { return y2 - y1; }
};

inline constexpr int kUnknownLabel = -1;

struct Sample {
  std::string image_path;
  double age = 0;
  int gender = kUnknownLabel;     // 0 male, 1 female (UTKFace, MORPH convention)
  int ethnicity = kUnknownLabel;  // 0 White, 1 Black, 2 Asian, 3 Indian, 4 Other
  std::string subject;            // person id where the dataset has one (subject-disjoint splits)
  std::optional<double> angle;    // degrees the image is rotated by to level the eyes
  std::optional<FaceBox> box;     // face box in the rotated image
};

}  // namespace faceage
