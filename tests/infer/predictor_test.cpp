#include "faceage/infer/predictor.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "faceage/face/alignment.h"
#include "faceage/face/crop.h"
#include "faceage/model/preprocessing.h"
#include "faceage/io/image.h"
#include "infer_test_support.h"

namespace faceage::testing {
namespace {

const AgePredictor& shared_predictor() {
  static const AgePredictor predictor = [] {
    PredictorOptions options;
    options.model_path = small_model_file("predictor_model");
    options.threads = 1;
    return AgePredictor(options);
  }();
  return predictor;
}

TEST(AgePredictor, EveryFaceGetsAConsistentDistributionSummary) {
  const cv::Mat photo = read_image(fairface_photo(1));  // two people
  const std::vector<FacePrediction> faces = shared_predictor().predict(photo);
  ASSERT_EQ(faces.size(), 2u);
  for (const FacePrediction& face : faces) {
    ASSERT_TRUE(face.aligned.has_value());
    EXPECT_GT(face.aligned->detection.score, 0.7);
    EXPECT_GE(face.age, 0);
    EXPECT_LE(face.age, 100);
    EXPECT_GT(face.age_std, 0);
    EXPECT_LE(face.age_low, face.age);
    EXPECT_GE(face.age_high, face.age);
    ASSERT_TRUE(face.gender && face.ethnicity);
    EXPECT_EQ(face.gender->probabilities.size(), 2u);
    EXPECT_EQ(face.ethnicity->probabilities.size(), 5u);
    double sum = 0;
    for (double p : face.ethnicity->probabilities) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-6);
    EXPECT_DOUBLE_EQ(face.ethnicity->probability,
                     face.ethnicity->probabilities[face.ethnicity->label]);
    // The distribution the summary comes from: ages 0..100, its mean the age.
    ASSERT_EQ(face.age_distribution.size(), 101u);
    double mass = 0, mean = 0;
    for (size_t age = 0; age < face.age_distribution.size(); ++age) {
      EXPECT_GE(face.age_distribution[age], 0);
      mass += face.age_distribution[age];
      mean += static_cast<double>(age) * face.age_distribution[age];
    }
    EXPECT_NEAR(mass, 1.0, 1e-5);
    EXPECT_NEAR(mean, face.age, 1e-3);
  }
  EXPECT_GE(faces[0].aligned->detection.score, faces[1].aligned->detection.score);
}

TEST(AgePredictor, BatchedPhotosGiveTheSameAnswersAsOneByOne) {
  const std::vector<cv::Mat> photos = {read_image(fairface_photo(1)), read_image(fairface_photo(3)),
                                       read_image(fairface_photo(5))};
  PredictTimings timings;
  const auto together = shared_predictor().predict(photos, &timings);
  ASSERT_EQ(together.size(), photos.size());
  size_t faces = 0;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::vector<FacePrediction> alone = shared_predictor().predict(photos[i]);
    ASSERT_EQ(together[i].size(), alone.size()) << "photo " << i;
    for (size_t f = 0; f < alone.size(); ++f)
      EXPECT_NEAR(together[i][f].age, alone[f].age, 1e-3) << "photo " << i << " face " << f;
    faces += alone.size();
  }
  EXPECT_EQ(timings.faces, faces);
  EXPECT_GT(timings.detect, 0);
  EXPECT_GT(timings.model, 0);
}

TEST(AgePredictor, ThePipelineFeedsTheModelTheCropItWasTrainedOn) {
  // Predicting a photo equals predicting, as a crop, the face the training pipeline cuts
  // (crop.h with the model's margin) from the photo aligned as prediction aligns it.
  const AgePredictor& predictor = shared_predictor();
  const cv::Mat photo = read_image(fairface_photo(3));
  const std::vector<FacePrediction> faces = predictor.predict(photo);
  ASSERT_FALSE(faces.empty());
  ASSERT_EQ(PredictorOptions().alignment.second_pass, SecondPass::refine);
  const Alignment alignment = align_face(FaceDetector(), photo, refined_alignment());
  ASSERT_TRUE(alignment.face);
  EXPECT_NEAR(alignment.face->angle, faces[0].aligned->angle, 1e-9);
  const cv::Mat crop = crop_face(photo, alignment.face->angle, alignment.face->face.box,
                                 predictor.model().preprocessing.margin);
  const FacePrediction as_crop = predictor.predict_crops({crop}).front();
  EXPECT_NEAR(as_crop.age, faces[0].age, 1e-3);
  EXPECT_FALSE(as_crop.aligned.has_value());
}

TEST(AgePredictor, AModelWithAFaceFrameCutsThatFrame) {
  PredictorOptions options;
  options.model_path = small_model_file("framed_model", /*with_frame=*/true);
  options.threads = 1;
  const AgePredictor predictor(options);
  ASSERT_TRUE(predictor.model().preprocessing.frame);
  const cv::Mat photo = read_image(fairface_photo(3));
  const std::vector<AgePredictor::NetworkInput> inputs = predictor.network_inputs(photo);
  ASSERT_FALSE(inputs.empty());
  const AlignedFace& aligned = inputs[0].aligned;
  const FaceBox& box = aligned.face.box;
  const cv::Mat framed = crop_frame(photo, aligned.angle, box, *predictor.model().preprocessing.frame);
  EXPECT_NEAR(framed.cols, 1.2 * box.width(), 1.5);
  EXPECT_NEAR(framed.rows, 0.95 * box.height(), 1.5);
  const int size = predictor.model().preprocessing.input_size;
  EXPECT_EQ(cv::norm(inputs[0].face, resize_to_input(framed, size), cv::NORM_INF), 0);
}

TEST(AgePredictor, AFlipAveragingModelPredictsTheMeanOfTheFaceAndItsMirror) {
  PredictorOptions options;
  options.model_path = small_model_file("flip_model", false, /*flip_average=*/true);
  options.threads = 1;
  const AgePredictor flipping(options);
  ASSERT_TRUE(flipping.model().flip_average);
  const cv::Mat photo = read_image(fairface_photo(3));
  cv::Mat mirror;
  cv::flip(photo, mirror, 1);
  // The expectation of a mean of two distributions is the mean of their expectations.
  const std::vector<FacePrediction> plain = shared_predictor().predict_crops({photo, mirror});
  ASSERT_GT(std::abs(plain[0].age - plain[1].age), 1e-3) << "the mirror must change something";
  EXPECT_NEAR(flipping.predict_crops({photo}).front().age, (plain[0].age + plain[1].age) / 2, 1e-3);
}

TEST(AgePredictor, BadOptionsAndMissingModelAreClearErrors) {
  PredictorOptions options;
  options.model_path = "/nonexistent/model.safetensors";
  try {
    AgePredictor predictor(options);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors"), std::string::npos);
  }
  options.model_path = small_model_file("bad_options_model");
  options.interval_mass = 1.5;
  EXPECT_THROW(AgePredictor{options}, std::exception);
}

}  // namespace
}  // namespace faceage::testing
