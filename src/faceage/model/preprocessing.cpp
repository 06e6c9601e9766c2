#include "faceage/model/preprocessing.h"

#include <cmath>
#include <set>

#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"
#include "faceage/face/crop.h"

namespace faceage {
namespace {

template <typename T>
T field(const nlohmann::json& json, const char* name, T fallback) {
  if (!json.contains(name)) return fallback;
  try {
    return json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    fail("preprocessing.{}: {} has the wrong type", name, json.at(name).dump());
  }
}

FaceFrame frame_from_json(const nlohmann::json& json) {
  if (!json.is_object()) fail("preprocessing.frame: expected a JSON object, got {}", json.dump());
  FaceFrame frame;
  for (const auto& item : json.items()) {
    double* target = item.key() == "scale_x"   ? &frame.scale_x
                     : item.key() == "scale_y" ? &frame.scale_y
                     : item.key() == "shift_x" ? &frame.shift_x
                     : item.key() == "shift_y" ? &frame.shift_y
                                               : nullptr;
    if (!target)
      fail("preprocessing.frame.{}: unknown field (expected scale_x, scale_y, shift_x, shift_y)",
           item.key());
    if (!item.value().is_number())
      fail("preprocessing.frame.{}: {} is not a number", item.key(), item.value().dump());
    *target = item.value().get<double>();
  }
  return frame;
}

}  // namespace

nlohmann::json to_json(const Preprocessing& p) {
  nlohmann::json json = {{"input_size", p.input_size}, {"align", p.align},
                         {"margin", p.margin},         {"color_order", p.color_order},
                         {"mean", p.mean},             {"std", p.std}};
  if (p.frame)
    json["frame"] = {{"scale_x", p.frame->scale_x},
                     {"scale_y", p.frame->scale_y},
                     {"shift_x", p.frame->shift_x},
                     {"shift_y", p.frame->shift_y}};
  return json;
}

Preprocessing preprocessing_from_json(const nlohmann::json& json) {
  if (!json.is_object()) fail("preprocessing: expected a JSON object, got {}", json.dump());
  static const std::set<std::string> kFields = {"input_size", "align", "margin",
                                                "color_order", "mean", "std", "frame"};
  for (const auto& item : json.items())
    if (!kFields.count(item.key()))
      fail("preprocessing.{}: unknown field (expected input_size, align, margin, color_order, "
           "mean, std, frame)", item.key());
  Preprocessing p;
  p.input_size = field(json, "input_size", p.input_size);
  p.align = field(json, "align", p.align);
  p.margin = field(json, "margin", p.margin);
  p.color_order = field(json, "color_order", p.color_order);
  p.mean = field(json, "mean", p.mean);
  p.std = field(json, "std", p.std);
  if (json.contains("frame")) p.frame = frame_from_json(json.at("frame"));
  check_preprocessing(p);
  return p;
}

void check_preprocessing(const Preprocessing& p) {
  if (p.input_size < 8 || p.input_size > 4096)
    fail("preprocessing.input_size: {} is outside [8, 4096] pixels", p.input_size);
  if (!(p.margin >= 0) || !std::isfinite(p.margin))
    fail("preprocessing.margin: {} must be a ratio >= 0 (0.2 = 20%)", p.margin);
  if (p.color_order != "rgb" && p.color_order != "bgr")
    fail("preprocessing.color_order: '{}' is not rgb or bgr", p.color_order);
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(p.mean[c])) fail("preprocessing.mean[{}] is not a finite number", c);
    if (!(p.std[c] > 0) || !std::isfinite(p.std[c]))
      fail("preprocessing.std[{}]: {} must be > 0", c, p.std[c]);
  }
  if (p.frame) {
    const FaceFrame& f = *p.frame;
    if (!(f.scale_x > 0 && f.scale_x < 100) || !(f.scale_y > 0 && f.scale_y < 100))
      fail("preprocessing.frame: scale ({}, {}) must be in (0, 100)", f.scale_x, f.scale_y);
    if (!std::isfinite(f.shift_x) || !std::isfinite(f.shift_y) || std::abs(f.shift_x) > 10 ||
        std::abs(f.shift_y) > 10)
      fail("preprocessing.frame: shift ({}, {}) must be within +-10 box sizes", f.shift_x,
           f.shift_y);
    if (p.align)
      fail("preprocessing.frame describes crops made elsewhere (align = false); a model trained "
           "on aligned crops (align = true) cuts its own box and margin");
  }
}

cv::Mat resize_to_input(const cv::Mat& face, int input_size) {
  if (face.empty()) fail("cannot resize an empty face image");
  if (face.cols == input_size && face.rows == input_size) return face;
  const bool shrinking = face.cols > input_size && face.rows > input_size;
  cv::Mat resized;
  cv::resize(face, resized, cv::Size(input_size, input_size), 0, 0,
             shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
  return resized;
}

void write_input_tensor(const cv::Mat& face, const Preprocessing& p, float* chw) {
  if (face.type() != CV_8UC3 || face.cols != p.input_size || face.rows != p.input_size)
    fail("input image must be {0}x{0} 8-bit BGR, got {1}x{2} of type {3}", p.input_size,
         face.cols, face.rows, face.type());
  const int size = p.input_size;
  const bool rgb = p.color_order == "rgb";
  float scale[3], offset[3];
  float* plane[3];
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * p.std[c]);
    offset[c] = -p.mean[c] / p.std[c];
    plane[c] = chw + static_cast<size_t>(c) * size * size;
  }
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = face.ptr<uint8_t>(y);
    const size_t base = static_cast<size_t>(y) * size;
    for (int x = 0; x < size; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int source = rgb ? 2 - c : c;  // the image is BGR
        plane[c][base + x] = row[3 * x + source] * scale[c] + offset[c];
      }
    }
  }
}

torch::Tensor to_input_tensor(const cv::Mat& face, const Preprocessing& p) {
  const cv::Mat sized = resize_to_input(face, p.input_size);
  torch::Tensor tensor = torch::empty({3, p.input_size, p.input_size}, torch::kFloat32);
  write_input_tensor(sized, p, tensor.data_ptr<float>());
  return tensor;
}

}  // namespace faceage
