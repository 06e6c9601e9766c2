#include "faceage/data/preprocessing.h"

#include "faceage/core/error.h"

namespace faceage {

using json = nlohmann::json;

json to_json(const Preprocessing& p) {
  return {{"input_size", p.input_size}, {"align", p.align},  {"margin", p.margin},
          {"color_order", p.color_order}, {"mean", p.mean}, {"std", p.std}};
}

Preprocessing preprocessing_from_json(const json& in) {
  Preprocessing p;
  try {
    p.input_size = in.at("input_size").get<int>();
    p.align = in.at("align").get<bool>();
    p.margin = in.at("margin").get<double>();
    p.color_order = in.at("color_order").get<std::string>();
    p.mean = in.at("mean").get<std::array<float, 3>>();
    p.std = in.at("std").get<std::array<float, 3>>();
  } catch (const json::exception& e) {
    fail("preprocessing: missing or malformed field ({})", e.what());
  }
  if (p.input_size < 16) fail("preprocessing: input_size {} is too small", p.input_size);
  if (p.color_order != "rgb" && p.color_order != "bgr")
    fail("preprocessing: color_order '{}' is not rgb or bgr", p.color_order);
  if (p.margin < 0) fail("preprocessing: margin {} is negative", p.margin);
  for (float s : p.std)
    if (s <= 0) fail("preprocessing: std values must be positive");
  return p;
}

}  // namespace faceage
