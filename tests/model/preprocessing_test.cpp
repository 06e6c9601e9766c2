// From a real face to the network's input: crop, resize, colour order, ImageNet
// mean/std; and the JSON record a model file carries.
#include <gtest/gtest.h>

#include "../data/data_test_support.h"  // the data stage's helpers (UTKFace paths)
#include "faceage/model/preprocessing.h"
#include "faceage/face/crop.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {
using namespace faceage::testing;

const std::string kFace = "26_1_0_20170116171048641.jpg.chip.jpg";

TEST(PreprocessingJson, RoundTripsEveryField) {
  Preprocessing p;
  p.input_size = 112;
  p.align = false;
  p.margin = 0.4;
  p.color_order = "bgr";
  p.mean = {0.5f, 0.25f, 0.125f};
  p.std = {0.5f, 0.5f, 0.25f};
  p.frame = FaceFrame{1.25, 0.9, 0.02, -0.05};
  const Preprocessing back = preprocessing_from_json(nlohmann::json::parse(to_json(p).dump()));
  EXPECT_EQ(back.input_size, 112);
  EXPECT_FALSE(back.align);
  EXPECT_EQ(back.margin, 0.4);
  EXPECT_EQ(back.color_order, "bgr");
  EXPECT_EQ(back.mean, p.mean);
  EXPECT_EQ(back.std, p.std);
  ASSERT_TRUE(back.frame);
  EXPECT_EQ(back.frame->scale_x, 1.25);
  EXPECT_EQ(back.frame->scale_y, 0.9);
  EXPECT_EQ(back.frame->shift_x, 0.02);
  EXPECT_EQ(back.frame->shift_y, -0.05);
  EXPECT_FALSE(preprocessing_from_json(to_json(Preprocessing{})).frame);
}

TEST(PreprocessingJson, MissingFieldsKeepDefaultsAndBadOnesAreNamed) {
  const Preprocessing defaults = preprocessing_from_json({{"input_size", 64}});
  EXPECT_EQ(defaults.input_size, 64);
  EXPECT_EQ(defaults.color_order, "rgb");
  EXPECT_FLOAT_EQ(defaults.mean[0], 0.485f);

  const auto message = [](const nlohmann::json& json) {
    return error_message([&] { preprocessing_from_json(json); });
  };
  EXPECT_TRUE(contains(message({{"input_sise", 64}}), "preprocessing.input_sise: unknown field"));
  EXPECT_TRUE(contains(message({{"input_size", "big"}}), "preprocessing.input_size"));
  EXPECT_TRUE(contains(message({{"input_size", 2}}), "outside [8, 4096]"));
  EXPECT_TRUE(contains(message({{"margin", -0.2}}), "preprocessing.margin"));
  EXPECT_TRUE(contains(message({{"color_order", "hsv"}}), "'hsv' is not rgb or bgr"));
  EXPECT_TRUE(contains(message({{"std", {0.2, 0.0, 0.2}}}), "preprocessing.std[1]"));
  EXPECT_TRUE(contains(message(nlohmann::json::array()), "expected a JSON object"));
  EXPECT_TRUE(contains(message({{"frame", {{"scale", 1}}}}), "preprocessing.frame.scale: unknown"));
  EXPECT_TRUE(contains(message({{"frame", {{"scale_x", "wide"}}}}), "is not a number"));
  EXPECT_TRUE(contains(message({{"frame", {{"scale_x", -1}}}}), "preprocessing.frame: scale"));
}

TEST(InputTensor, NormalisesARealFaceWithImageNetStatisticsInRgbOrder) {
  const cv::Mat face = read_image(utkface_image(kFace));
  Preprocessing p;
  p.input_size = 200;  // no resize: compare against the decoded pixels themselves
  const torch::Tensor tensor = to_input_tensor(face, p);
  ASSERT_EQ(tensor.sizes(), (std::vector<int64_t>{3, 200, 200}));
  ASSERT_EQ(tensor.dtype(), torch::kFloat32);
  for (const cv::Point at : {cv::Point(0, 0), cv::Point(100, 80), cv::Point(199, 199)}) {
    const cv::Vec3b bgr = face.at<cv::Vec3b>(at);
    for (int c = 0; c < 3; ++c) {
      const double pixel = bgr[2 - c] / 255.0;  // channel 0 is red
      EXPECT_NEAR(tensor[c][at.y][at.x].item<double>(), (pixel - p.mean[c]) / p.std[c], 1e-5);
    }
  }
  p.color_order = "bgr";
  p.mean = {0, 0, 0};
  p.std = {1, 1, 1};
  const torch::Tensor bgr = to_input_tensor(face, p);
  EXPECT_NEAR(bgr[0][80][100].item<double>(), face.at<cv::Vec3b>(80, 100)[0] / 255.0, 1e-6);
}

TEST(InputTensor, ResizesToTheInputSize) {
  const cv::Mat face = read_image(utkface_image(kFace));
  for (int size : {64, 112, 224}) {
    Preprocessing p;
    p.input_size = size;
    const torch::Tensor tensor = to_input_tensor(face, p);
    EXPECT_EQ(tensor.sizes(), (std::vector<int64_t>{3, size, size}));
    // The mean colour survives resizing (area averaging / bilinear).
    const cv::Scalar mean = cv::mean(face);
    EXPECT_NEAR(tensor[0].mean().item<double>() * p.std[0] + p.mean[0], mean[2] / 255.0, 0.01) << size;
  }
}

TEST(PrepareFace, CropsAlignedSamplesAndUsesWholePreAlignedImages) {
  const cv::Mat image = read_image(utkface_image(kFace));
  Preprocessing p;
  p.input_size = 64;
  p.margin = 0.2;
  Sample aligned;
  aligned.angle = 5.0;
  aligned.box = FaceBox{60, 50, 150, 160};
  const cv::Mat expected = resize_to_input(crop_face(image, aligned, 0.2), 64);
  EXPECT_EQ(cv::norm(prepare_face(image, aligned, p), expected, cv::NORM_INF), 0);

  p.align = false;  // the box is ignored: the whole photo
  EXPECT_EQ(cv::norm(prepare_face(image, aligned, p), resize_to_input(image, 64), cv::NORM_INF), 0);
  EXPECT_TRUE(contains(error_message([&] { write_input_tensor(image, p, nullptr); }), "must be 64x64"));
}

}  // namespace
}  // namespace faceage
