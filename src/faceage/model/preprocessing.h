#pragma once
// How a face becomes the network's input. A trained model file carries this record and
// prediction always uses it, so a model never runs with another pipeline than the one
// it was trained with.
#include <array>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "faceage/face/crop.h"

namespace faceage {

struct Preprocessing {
  int input_size = 224;           // square side in pixels
  // Training crops were cut from photos by each row's geometry (angle, box), as
  // network_input.h does; false: the training images were used whole (crops made elsewhere).
  bool align = true;
  double margin = 0.0;            // box width and height grow by this ratio (paper §4.5)
  std::string color_order = "rgb";
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};  // ImageNet, in color_order
  std::array<float, 3> std = {0.229f, 0.224f, 0.225f};
  // Set for models trained on faces cropped elsewhere (rows without a box): how those
  // crops sit around a detected face, so prediction on a photo cuts the same framing.
  std::optional<FaceFrame> frame;
};

nlohmann::json to_json(const Preprocessing& preprocessing);
// Missing fields keep their defaults; an unknown field, a wrong type or a bad value
// (size outside [8, 4096], negative margin, colour order not rgb/bgr, std <= 0) throws
// faceage::Error naming the field.
Preprocessing preprocessing_from_json(const nlohmann::json& json);

// Throws faceage::Error naming the first bad field.
void check_preprocessing(const Preprocessing& preprocessing);

// The face scaled to input_size x input_size (area averaging when shrinking, bilinear
// when enlarging); the aspect ratio is not kept, as the reference's Resize((s, s)).
cv::Mat resize_to_input(const cv::Mat& face, int input_size);

// Writes an input_size-square 8-bit BGR face as a normalised CHW float image in the
// model's colour order: (pixel / 255 - mean) / std. `chw` holds 3 * size * size floats.
void write_input_tensor(const cv::Mat& face, const Preprocessing& preprocessing, float* chw);

// The same as a [3, size, size] tensor; a face of another size is resized first.
torch::Tensor to_input_tensor(const cv::Mat& face, const Preprocessing& preprocessing);

}  // namespace faceage
