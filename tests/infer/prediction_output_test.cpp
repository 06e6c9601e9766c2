// The JSON of a face (what `faceage predict` prints and `faceage serve` answers), for the
// fields that depend on options.
#include "faceage/infer/prediction_output.h"

#include <gtest/gtest.h>

#include "faceage/io/image.h"
#include "infer_test_support.h"

namespace faceage::testing {
namespace {

std::vector<FacePrediction> predicted_faces() {
  PredictorOptions options;
  options.model_path = small_model_file("output_model");
  options.threads = 1;
  return AgePredictor(options).predict(read_image(fairface_photo(1)));  // two people
}

TEST(PredictionJson, TheAgeDistributionIsThereOnlyWhenAsked) {
  const std::vector<FacePrediction> faces = predicted_faces();
  ASSERT_EQ(faces.size(), 2u);
  for (const FacePrediction& face : faces) {
    EXPECT_FALSE(to_json(face).contains("age_distribution"));
    EXPECT_FALSE(to_json(face, nullptr, FaceJsonOptions{}).contains("age_distribution"));

    FaceJsonOptions options;
    options.age_distribution = true;
    const nlohmann::json json = to_json(face, nullptr, options);
    ASSERT_TRUE(json.contains("age_distribution"));
    const nlohmann::json& distribution = json["age_distribution"];
    ASSERT_TRUE(distribution.is_array());
    ASSERT_EQ(distribution.size(), 101u);  // ages 0..100
    double mass = 0, mean = 0;
    for (size_t age = 0; age < distribution.size(); ++age) {
      const double p = distribution[age].get<double>();
      EXPECT_GE(p, 0);
      mass += p;
      mean += static_cast<double>(age) * p;
    }
    // Rounded as printed, it is still a distribution whose expectation is the age.
    EXPECT_NEAR(mass, 1.0, 1e-3);
    EXPECT_NEAR(mean, json["age"].get<double>(), 0.01);
    // Every other field is the same with or without it.
    nlohmann::json without = json;
    without.erase("age_distribution");
    EXPECT_EQ(without, to_json(face));
  }
}

}  // namespace
}  // namespace faceage::testing
