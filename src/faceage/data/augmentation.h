#pragma once
// Training-time augmentation (paper §4.5): horizontal flip, hue/saturation/value shift,
// gamma, brightness/contrast, each applied independently with its own probability (0.3
// in the paper, "to lay more emphasis on the original data"). Effects that change the
// shape or colour of a face beyond what a camera could (distortion, channel shuffle,
// blur, random crop) are left out on purpose, as in the paper. One geometric option that
// the paper does not use, a small shift/scale/rotation of the crop (the jitter a face
// detector's box has anyway), is off by default: trained from scratch on 15k faces the
// network overfits without it (docs/model-card.md).
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace faceage {

// Ranges are symmetric limits: a shift is drawn uniformly from [-limit, +limit].
struct AugmentationOptions {
  double flip_probability = 0.3;

  double hsv_probability = 0.3;
  double hue_shift_limit = 20;         // degrees on the 360° hue circle
  double saturation_shift_limit = 30;  // on the 0-255 saturation scale
  double value_shift_limit = 20;       // on the 0-255 value scale

  double gamma_probability = 0.3;
  double gamma_min = 0.8;  // output = 255 * (input / 255) ^ gamma: < 1 brightens mid-tones
  double gamma_max = 1.2;

  double brightness_contrast_probability = 0.3;
  double brightness_limit = 0.2;  // added, as a fraction of 255
  double contrast_limit = 0.2;    // distance from the image mean scaled by 1 + contrast

  double shift_scale_rotate_probability = 0;  // 0 = as the paper
  double shift_limit = 0.05;   // as a fraction of the image's width / height
  double scale_limit = 0.1;    // zoom factor drawn from [1 - limit, 1 + limit]
  double rotate_limit = 10;    // degrees
};

nlohmann::json to_json(const AugmentationOptions& options);
// Missing fields keep their defaults; unknown fields, wrong types and bad values
// (probability outside [0, 1], negative limits, gamma_min > gamma_max) throw
// faceage::Error naming the field.
AugmentationOptions augmentation_from_json(const nlohmann::json& json);
void check_augmentation(const AugmentationOptions& options);

struct HsvShift {
  double hue_degrees = 0, saturation = 0, value = 0;
};
struct BrightnessContrast {
  double brightness = 0, contrast = 0;
};
struct ShiftScaleRotate {
  double shift_x = 0, shift_y = 0;  // fractions of width / height
  double scale = 1, degrees = 0;    // about the image centre; positive = counter-clockwise
};

// Which augmentations one sample gets and with what strength.
struct AugmentationChoice {
  bool flip = false;
  std::optional<HsvShift> hsv;
  std::optional<double> gamma;
  std::optional<BrightnessContrast> brightness_contrast;
  std::optional<ShiftScaleRotate> geometry;

  bool any() const { return flip || hsv || gamma || brightness_contrast || geometry; }
  std::string describe() const;  // "flip hsv(+12,-3,+5) gamma 0.91", "none"
};

// The choice is a pure function of the seed (use sample_seed(seed, epoch, index) from
// seeded_random.h), so it is the same whichever thread loads the sample.
AugmentationChoice choose_augmentations(const AugmentationOptions& options, uint64_t seed);

// In place on an 8-bit BGR image, in the order geometry, flip, HSV, gamma,
// brightness/contrast.
void apply_augmentations(cv::Mat& image, const AugmentationChoice& choice);

// The building blocks, in place on 8-bit BGR images.
void flip_horizontal(cv::Mat& image);
void shift_hue_saturation_value(cv::Mat& image, const HsvShift& shift);
void apply_gamma(cv::Mat& image, double gamma);
void adjust_brightness_contrast(cv::Mat& image, const BrightnessContrast& change);
// Same size out; what comes in from outside the image is its mirror (no black corners).
void shift_scale_rotate(cv::Mat& image, const ShiftScaleRotate& change);

}  // namespace faceage
