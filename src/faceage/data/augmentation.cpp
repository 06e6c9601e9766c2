#include "faceage/data/augmentation.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"
#include "faceage/data/seeded_random.h"

namespace faceage {
namespace {

uint8_t saturate(double value) {
  return static_cast<uint8_t>(std::lround(std::clamp(value, 0.0, 255.0)));
}

void check_image(const cv::Mat& image) {
  if (image.empty() || image.type() != CV_8UC3)
    fail("augmentation needs an 8-bit BGR image, got type {} ({}x{})", image.type(), image.cols,
         image.rows);
}

// (name, member) pairs so JSON reading and writing cannot drift apart.
const std::vector<std::pair<const char*, double AugmentationOptions::*>>& option_fields() {
  static const std::vector<std::pair<const char*, double AugmentationOptions::*>> kFields = {
      {"flip_probability", &AugmentationOptions::flip_probability},
      {"hsv_probability", &AugmentationOptions::hsv_probability},
      {"hue_shift_limit", &AugmentationOptions::hue_shift_limit},
      {"saturation_shift_limit", &AugmentationOptions::saturation_shift_limit},
      {"value_shift_limit", &AugmentationOptions::value_shift_limit},
      {"gamma_probability", &AugmentationOptions::gamma_probability},
      {"gamma_min", &AugmentationOptions::gamma_min},
      {"gamma_max", &AugmentationOptions::gamma_max},
      {"brightness_contrast_probability", &AugmentationOptions::brightness_contrast_probability},
      {"brightness_limit", &AugmentationOptions::brightness_limit},
      {"contrast_limit", &AugmentationOptions::contrast_limit},
      {"shift_scale_rotate_probability", &AugmentationOptions::shift_scale_rotate_probability},
      {"shift_limit", &AugmentationOptions::shift_limit},
      {"scale_limit", &AugmentationOptions::scale_limit},
      {"rotate_limit", &AugmentationOptions::rotate_limit}};
  return kFields;
}

}  // namespace

nlohmann::json to_json(const AugmentationOptions& options) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, member] : option_fields()) json[name] = options.*member;
  return json;
}

AugmentationOptions augmentation_from_json(const nlohmann::json& json) {
  if (!json.is_object()) fail("augmentation: expected a JSON object, got {}", json.dump());
  AugmentationOptions options;
  std::set<std::string> known;
  for (const auto& [name, member] : option_fields()) {
    known.insert(name);
    if (!json.contains(name)) continue;
    if (!json.at(name).is_number()) fail("augmentation.{}: {} is not a number", name, json.at(name).dump());
    options.*member = json.at(name).get<double>();
  }
  for (const auto& item : json.items())
    if (!known.count(item.key())) fail("augmentation.{}: unknown field", item.key());
  check_augmentation(options);
  return options;
}

void check_augmentation(const AugmentationOptions& o) {
  for (const auto& [name, member] : option_fields()) {
    const double value = o.*member;
    if (!std::isfinite(value)) fail("augmentation.{}: {} is not a finite number", name, value);
    const bool probability = std::string(name).find("probability") != std::string::npos;
    if (probability && (value < 0 || value > 1))
      fail("augmentation.{}: {} is not a probability in [0, 1]", name, value);
    if (std::string(name).find("limit") != std::string::npos && value < 0)
      fail("augmentation.{}: {} must be >= 0", name, value);
  }
  if (!(o.gamma_min > 0) || o.gamma_min > o.gamma_max)
    fail("augmentation.gamma_min/gamma_max: need 0 < gamma_min <= gamma_max, got {} and {}",
         o.gamma_min, o.gamma_max);
  if (o.contrast_limit >= 1) fail("augmentation.contrast_limit: {} must be < 1", o.contrast_limit);
  if (o.scale_limit >= 1) fail("augmentation.scale_limit: {} must be < 1", o.scale_limit);
  if (o.shift_limit > 0.5) fail("augmentation.shift_limit: {} must be <= 0.5", o.shift_limit);
}

std::string AugmentationChoice::describe() const {
  std::string text;
  const auto add = [&](const std::string& part) { text += (text.empty() ? "" : " ") + part; };
  if (flip) add("flip");
  if (hsv) add(fmt::format("hsv({:+.0f},{:+.0f},{:+.0f})", hsv->hue_degrees, hsv->saturation, hsv->value));
  if (gamma) add(fmt::format("gamma {:.2f}", *gamma));
  if (brightness_contrast)
    add(fmt::format("bc({:+.2f},{:+.2f})", brightness_contrast->brightness, brightness_contrast->contrast));
  if (geometry)
    add(fmt::format("ssr({:+.3f},{:+.3f},x{:.3f},{:+.1f}deg)", geometry->shift_x, geometry->shift_y,
                    geometry->scale, geometry->degrees));
  return text.empty() ? "none" : text;
}

AugmentationChoice choose_augmentations(const AugmentationOptions& o, uint64_t seed) {
  SeededRandom random(seed);
  AugmentationChoice choice;
  // Every draw happens whether or not the effect is chosen, so changing one probability
  // does not reshuffle the strengths of the others.
  const bool flip = random.chance(o.flip_probability);
  const bool hsv = random.chance(o.hsv_probability);
  const HsvShift shift{random.uniform(-o.hue_shift_limit, o.hue_shift_limit),
                       random.uniform(-o.saturation_shift_limit, o.saturation_shift_limit),
                       random.uniform(-o.value_shift_limit, o.value_shift_limit)};
  const bool gamma = random.chance(o.gamma_probability);
  const double gamma_value = random.uniform(o.gamma_min, o.gamma_max);
  const bool brightness_contrast = random.chance(o.brightness_contrast_probability);
  const BrightnessContrast change{random.uniform(-o.brightness_limit, o.brightness_limit),
                                  random.uniform(-o.contrast_limit, o.contrast_limit)};
  // Drawn last, so configurations without it keep the strengths they always had.
  const bool geometry = random.chance(o.shift_scale_rotate_probability);
  const ShiftScaleRotate jitter{random.uniform(-o.shift_limit, o.shift_limit),
                                random.uniform(-o.shift_limit, o.shift_limit),
                                random.uniform(1 - o.scale_limit, 1 + o.scale_limit),
                                random.uniform(-o.rotate_limit, o.rotate_limit)};
  choice.flip = flip;
  if (geometry) choice.geometry = jitter;
  if (hsv) choice.hsv = shift;
  if (gamma) choice.gamma = gamma_value;
  if (brightness_contrast) choice.brightness_contrast = change;
  return choice;
}

void apply_augmentations(cv::Mat& image, const AugmentationChoice& choice) {
  if (choice.geometry) shift_scale_rotate(image, *choice.geometry);
  if (choice.flip) flip_horizontal(image);
  if (choice.hsv) shift_hue_saturation_value(image, *choice.hsv);
  if (choice.gamma) apply_gamma(image, *choice.gamma);
  if (choice.brightness_contrast) adjust_brightness_contrast(image, *choice.brightness_contrast);
}

void flip_horizontal(cv::Mat& image) {
  check_image(image);
  cv::flip(image, image, 1);
}

void shift_hue_saturation_value(cv::Mat& image, const HsvShift& shift) {
  check_image(image);
  cv::Mat hsv;
  cv::cvtColor(image, hsv, cv::COLOR_BGR2HSV);  // 8-bit hue is degrees / 2, in [0, 180)
  cv::Mat table(1, 256, CV_8UC3);
  const int hue_steps = static_cast<int>(std::lround(shift.hue_degrees / 2));
  for (int i = 0; i < 256; ++i) {
    cv::Vec3b& entry = table.at<cv::Vec3b>(0, i);
    entry[0] = static_cast<uint8_t>(((i + hue_steps) % 180 + 180) % 180);  // hue wraps around
    entry[1] = saturate(i + shift.saturation);
    entry[2] = saturate(i + shift.value);
  }
  cv::LUT(hsv, table, hsv);
  cv::cvtColor(hsv, image, cv::COLOR_HSV2BGR);
}

void apply_gamma(cv::Mat& image, double gamma) {
  check_image(image);
  if (!(gamma > 0)) fail("gamma {} must be > 0", gamma);
  cv::Mat table(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) table.at<uint8_t>(i) = saturate(255.0 * std::pow(i / 255.0, gamma));
  cv::LUT(image, table, image);
}

void adjust_brightness_contrast(cv::Mat& image, const BrightnessContrast& change) {
  check_image(image);
  // Contrast scales the distance from the image's mean grey, so it does not also shift
  // the brightness; brightness then adds a fraction of full scale.
  const cv::Scalar channel_means = cv::mean(image);
  const double mean = (channel_means[0] + channel_means[1] + channel_means[2]) / 3;
  cv::Mat table(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i)
    table.at<uint8_t>(i) =
        saturate((i - mean) * (1 + change.contrast) + mean + change.brightness * 255.0);
  cv::LUT(image, table, image);
}

void shift_scale_rotate(cv::Mat& image, const ShiftScaleRotate& change) {
  check_image(image);
  const cv::Point2f centre(image.cols / 2.0f, image.rows / 2.0f);
  cv::Mat transform = cv::getRotationMatrix2D(centre, change.degrees, change.scale);
  transform.at<double>(0, 2) += change.shift_x * image.cols;
  transform.at<double>(1, 2) += change.shift_y * image.rows;
  cv::Mat out;
  cv::warpAffine(image, out, transform, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  image = out;
}

}  // namespace faceage
