// Each augmentation of paper §4.5 on a real face: what it does to the pixels, how often
// it is chosen, and that a seed reproduces it.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "data_test_support.h"
#include "faceage/data/augmentation.h"
#include "faceage/data/seeded_random.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {
using namespace faceage::testing;

cv::Mat real_face() { return read_image(utkface_image("26_1_0_20170116171048641.jpg.chip.jpg")); }

double mean_of(const cv::Mat& image) {
  const cv::Scalar m = cv::mean(image);
  return (m[0] + m[1] + m[2]) / 3;
}

TEST(Augmentation, FlipMirrorsEveryRow) {
  const cv::Mat face = real_face();
  cv::Mat flipped = face.clone();
  flip_horizontal(flipped);
  for (int y = 0; y < face.rows; y += 17)
    for (int x = 0; x < face.cols; ++x)
      ASSERT_EQ(flipped.at<cv::Vec3b>(y, x), face.at<cv::Vec3b>(y, face.cols - 1 - x)) << x << "," << y;
  flip_horizontal(flipped);
  EXPECT_EQ(cv::norm(flipped, face, cv::NORM_INF), 0);
}

TEST(Augmentation, GammaBelowOneBrightensMidTonesMonotonicallyAndKeepsBlackAndWhite) {
  const cv::Mat face = real_face();
  for (double gamma : {0.8, 1.2}) {
    cv::Mat changed = face.clone();
    apply_gamma(changed, gamma);
    // Pixel by pixel: the same input value always gives the same output, order is kept,
    // 0 and 255 stay, and mid-tones move the expected way.
    std::array<int, 256> output;
    output.fill(-1);
    const cv::Mat in = face.reshape(1), out = changed.reshape(1);
    for (int y = 0; y < in.rows; ++y)
      for (int x = 0; x < in.cols; ++x) {
        const int v = in.at<uint8_t>(y, x), w = out.at<uint8_t>(y, x);
        ASSERT_TRUE(output[v] == -1 || output[v] == w);
        output[v] = w;
      }
    int previous = -1;
    for (int v = 0; v < 256; ++v) {
      if (output[v] < 0) continue;
      EXPECT_GE(output[v], previous) << "not monotonic at " << v;
      previous = output[v];
      if (v == 0 || v == 255) EXPECT_EQ(output[v], v);
      if (v >= 64 && v <= 192) {
        EXPECT_NEAR(output[v], 255 * std::pow(v / 255.0, gamma), 0.5 + 1e-9) << v;
        if (gamma < 1) EXPECT_GT(output[v], v);
        else EXPECT_LT(output[v], v);
      }
    }
  }
}

TEST(Augmentation, HueShiftRotatesTheHueOfColouredPixels) {
  const cv::Mat face = real_face();
  cv::Mat shifted = face.clone();
  shift_hue_saturation_value(shifted, {40, 0, 0});  // 40° = 20 OpenCV hue steps
  cv::Mat before, after;
  cv::cvtColor(face, before, cv::COLOR_BGR2HSV);
  cv::cvtColor(shifted, after, cv::COLOR_BGR2HSV);
  int coloured = 0, moved = 0;
  for (int y = 0; y < face.rows; ++y)
    for (int x = 0; x < face.cols; ++x) {
      const cv::Vec3b a = before.at<cv::Vec3b>(y, x), b = after.at<cv::Vec3b>(y, x);
      if (a[1] < 80 || a[2] < 80) continue;  // hue is noise for grey or dark pixels
      ++coloured;
      const int step = ((b[0] - a[0]) % 180 + 180) % 180;
      moved += std::abs(step - 20) <= 2;
    }
  ASSERT_GT(coloured, 1000);
  EXPECT_GT(moved, coloured * 9 / 10);
  // Value (brightness) and saturation are not what a hue shift changes.
  EXPECT_NEAR(cv::mean(after)[2], cv::mean(before)[2], 2);
  EXPECT_NEAR(cv::mean(after)[1], cv::mean(before)[1], 3);
}

TEST(Augmentation, SaturationAndValueShiftsMoveTheirChannel) {
  const cv::Mat face = real_face();
  cv::Mat before;
  cv::cvtColor(face, before, cv::COLOR_BGR2HSV);
  const cv::Scalar hsv_before = cv::mean(before);

  cv::Mat saturated = face.clone();
  shift_hue_saturation_value(saturated, {0, 30, 0});
  cv::Mat after;
  cv::cvtColor(saturated, after, cv::COLOR_BGR2HSV);
  EXPECT_GT(cv::mean(after)[1], hsv_before[1] + 20);
  EXPECT_NEAR(cv::mean(after)[2], hsv_before[2], 3);

  cv::Mat darker = face.clone();
  shift_hue_saturation_value(darker, {0, 0, -20});
  cv::cvtColor(darker, after, cv::COLOR_BGR2HSV);
  EXPECT_LT(cv::mean(after)[2], hsv_before[2] - 15);
  EXPECT_LT(mean_of(darker), mean_of(face));
}

TEST(Augmentation, BrightnessAddsAndContrastSpreadsAboutTheMean) {
  const cv::Mat face = real_face();
  cv::Mat brighter = face.clone();
  adjust_brightness_contrast(brighter, {0.1, 0});
  const double gain = mean_of(brighter) - mean_of(face);
  EXPECT_GT(gain, 20);  // + 25.5 where nothing clips
  EXPECT_LE(gain, 25.5 + 0.5);

  cv::Mat contrast = face.clone();
  adjust_brightness_contrast(contrast, {0, 0.2});
  cv::Scalar mean_before, std_before, mean_after, std_after;
  cv::meanStdDev(face.reshape(1), mean_before, std_before);
  cv::meanStdDev(contrast.reshape(1), mean_after, std_after);
  EXPECT_NEAR(std_after[0] / std_before[0], 1.2, 0.05);
  EXPECT_NEAR(mean_after[0], mean_before[0], 3);

  cv::Mat flatter = face.clone();
  adjust_brightness_contrast(flatter, {0, -0.2});
  cv::meanStdDev(flatter.reshape(1), mean_after, std_after);
  EXPECT_NEAR(std_after[0] / std_before[0], 0.8, 0.02);
}

TEST(Augmentation, ShiftScaleRotateMovesTheFaceAndIdentityLeavesItAlone) {
  const cv::Mat face = real_face();
  cv::Mat same = face.clone();
  shift_scale_rotate(same, {});
  EXPECT_EQ(cv::norm(same, face, cv::NORM_INF), 0);

  // A shift of 10% right and 5% down: pixel (x, y) lands at (x + 0.1 w, y + 0.05 h).
  cv::Mat shifted = face.clone();
  shift_scale_rotate(shifted, {0.1, 0.05, 1.0, 0.0});
  const int dx = static_cast<int>(std::lround(0.1 * face.cols));
  const int dy = static_cast<int>(std::lround(0.05 * face.rows));
  const cv::Rect source(0, 0, face.cols - dx, face.rows - dy);
  EXPECT_LE(cv::norm(shifted(source + cv::Point(dx, dy)), face(source), cv::NORM_INF), 1);
  // The uncovered band is the face's mirror, not black.
  EXPECT_GT(mean_of(shifted(cv::Rect(0, 0, dx, face.rows))), 20);

  // A rotation keeps the centre pixel and the image size.
  cv::Mat turned = face.clone();
  shift_scale_rotate(turned, {0, 0, 1.0, 10.0});
  EXPECT_EQ(turned.size(), face.size());
  EXPECT_GT(cv::norm(turned, face, cv::NORM_L1), 0);
  const cv::Point centre(face.cols / 2, face.rows / 2);
  EXPECT_LE(cv::norm(turned.at<cv::Vec3b>(centre), face.at<cv::Vec3b>(centre), cv::NORM_INF), 30);
}

TEST(Augmentation, ShiftScaleRotateIsOffByDefaultAndWithinItsLimitsWhenOn) {
  AugmentationOptions options;
  for (int i = 0; i < 200; ++i)
    EXPECT_FALSE(choose_augmentations(options, sample_seed(5, 0, i)).geometry.has_value());
  AugmentationOptions on = options;
  on.shift_scale_rotate_probability = 1;
  int chosen = 0;
  for (int i = 0; i < 500; ++i) {
    const AugmentationChoice with = choose_augmentations(on, sample_seed(5, 0, i));
    const AugmentationChoice without = choose_augmentations(options, sample_seed(5, 0, i));
    ASSERT_TRUE(with.geometry);
    ++chosen;
    EXPECT_LE(std::abs(with.geometry->shift_x), on.shift_limit);
    EXPECT_LE(std::abs(with.geometry->shift_y), on.shift_limit);
    EXPECT_LE(std::abs(with.geometry->scale - 1), on.scale_limit);
    EXPECT_LE(std::abs(with.geometry->degrees), on.rotate_limit);
    // Turning it on does not change the other augmentations of the same seed.
    EXPECT_EQ(with.flip, without.flip);
    EXPECT_EQ(with.gamma, without.gamma);
  }
  EXPECT_EQ(chosen, 500);
}

TEST(Augmentation, EachIsChosenWithItsProbabilityIndependently) {
  const AugmentationOptions options;  // 0.3 each (paper §4.5)
  const int draws = 20000;
  int flips = 0, hsv = 0, gamma = 0, bc = 0, flip_and_gamma = 0, none = 0;
  for (int i = 0; i < draws; ++i) {
    const AugmentationChoice c = choose_augmentations(options, sample_seed(5, 0, i));
    flips += c.flip;
    hsv += c.hsv.has_value();
    gamma += c.gamma.has_value();
    bc += c.brightness_contrast.has_value();
    flip_and_gamma += c.flip && c.gamma;
    none += !c.any();
    if (c.hsv) {
      ASSERT_LE(std::abs(c.hsv->hue_degrees), options.hue_shift_limit);
      ASSERT_LE(std::abs(c.hsv->saturation), options.saturation_shift_limit);
    }
    if (c.gamma) ASSERT_TRUE(*c.gamma >= options.gamma_min && *c.gamma <= options.gamma_max);
  }
  for (int count : {flips, hsv, gamma, bc}) EXPECT_NEAR(count / double(draws), 0.3, 0.015);
  EXPECT_NEAR(flip_and_gamma / double(draws), 0.09, 0.01);
  EXPECT_NEAR(none / double(draws), std::pow(0.7, 4), 0.015);

  AugmentationOptions off = options;
  off.flip_probability = off.hsv_probability = off.gamma_probability = off.brightness_contrast_probability = 0;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(choose_augmentations(off, i).any());
}

TEST(Augmentation, TheSameSeedGivesTheSameImage) {
  const cv::Mat face = real_face();
  AugmentationOptions always;
  always.flip_probability = always.hsv_probability = always.gamma_probability =
      always.brightness_contrast_probability = 1;
  const auto augmented = [&](uint64_t seed) {
    cv::Mat image = face.clone();
    apply_augmentations(image, choose_augmentations(always, seed));
    return image;
  };
  EXPECT_EQ(cv::norm(augmented(sample_seed(1, 2, 3)), augmented(sample_seed(1, 2, 3)), cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(augmented(sample_seed(1, 2, 3)), augmented(sample_seed(1, 3, 3)), cv::NORM_INF), 0);
  EXPECT_NE(choose_augmentations(always, 9).describe(), "none");
  EXPECT_TRUE(contains(choose_augmentations(always, 9).describe(), "flip"));
}

TEST(AugmentationJson, RoundTripsAndNamesBadFields) {
  AugmentationOptions options;
  options.flip_probability = 0.5;
  options.gamma_min = 0.7;
  options.contrast_limit = 0.1;
  const AugmentationOptions back = augmentation_from_json(nlohmann::json::parse(to_json(options).dump()));
  EXPECT_EQ(back.flip_probability, 0.5);
  EXPECT_EQ(back.gamma_min, 0.7);
  EXPECT_EQ(back.contrast_limit, 0.1);
  EXPECT_EQ(back.hsv_probability, 0.3);

  const auto message = [](const nlohmann::json& json) { return error_message([&] { augmentation_from_json(json); }); };
  EXPECT_TRUE(contains(message({{"flip_probability", 1.5}}), "augmentation.flip_probability"));
  EXPECT_TRUE(contains(message({{"flip", 0.3}}), "augmentation.flip: unknown field"));
  EXPECT_TRUE(contains(message({{"gamma_min", 1.3}}), "gamma_min <= gamma_max"));
  EXPECT_TRUE(contains(message({{"hue_shift_limit", -5}}), "augmentation.hue_shift_limit"));
  EXPECT_TRUE(contains(message({{"gamma_max", "high"}}), "augmentation.gamma_max"));
}

TEST(Augmentation, RejectsImagesThatAreNotEightBitBgr) {
  cv::Mat gray(10, 10, CV_8UC1, cv::Scalar(3));
  EXPECT_TRUE(contains(error_message([&] { flip_horizontal(gray); }), "8-bit BGR"));
}

}  // namespace
}  // namespace faceage
