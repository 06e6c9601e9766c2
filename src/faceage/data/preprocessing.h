#pragma once
// How a face becomes the network's input. A trained model file carries this record and
// prediction always uses it, so a model never runs with another pipeline than the one
// it was trained with.
#include <array>
#include <string>

#include <nlohmann/json.hpp>

namespace faceage {

struct Preprocessing {
  int input_size = 224;           // square side in pixels
  bool align = true;              // rotate by the eye angle and crop the face box
  double margin = 0.0;            // box width and height grow by this ratio (paper §4.5)
  std::string color_order = "rgb";
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};  // ImageNet, in color_order
  std::array<float, 3> std = {0.229f, 0.224f, 0.225f};
};

nlohmann::json to_json(const Preprocessing& preprocessing);
// Throws faceage::Error naming the bad field.
Preprocessing preprocessing_from_json(const nlohmann::json& json);

}  // namespace faceage
