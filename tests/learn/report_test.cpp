// Evaluation reports on hand-computed predictions, and the files they write.
#include <gtest/gtest.h>

#include <filesystem>

#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"
#include "faceage/learn/report.h"
#include "test_support.h"

namespace faceage {
namespace {

Predictions example() {
  Predictions p;
  p.true_age = {1, 25, 27, 72, 40};
  p.predicted_age = {2, 20, 27, 60, 41};  // errors 1, 5, 0, 12, 1
  p.age_spread = {1, 2, 3, 4, 5};
  p.true_gender = {0, 1, 1, -1, 0};
  p.predicted_gender = {0, 1, 0, 1, 0};
  p.true_ethnicity = {-1, -1, -1, -1, -1};
  p.predicted_ethnicity = {-1, -1, -1, -1, -1};
  p.sample_indices = {0, 1, 2, 3, 4};
  return p;
}

TEST(Report, GroupsByBandGenderAndHeads) {
  const nlohmann::json r = evaluation_report(example());
  EXPECT_DOUBLE_EQ(r["mae"].get<double>(), 19.0 / 5);
  EXPECT_DOUBLE_EQ(r["ca3"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(r["mae_by_age_band"]["20-29"]["mae"].get<double>(), 2.5);
  EXPECT_EQ(r["mae_by_age_band"]["70+"]["count"].get<int>(), 1);
  EXPECT_FALSE(r["mae_by_age_band"].contains("3-9"));
  EXPECT_DOUBLE_EQ(r["mae_by_gender"]["male"]["mae"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(r["mae_by_gender"]["female"]["mae"].get<double>(), 2.5);
  EXPECT_TRUE(r["mae_by_ethnicity"].empty());
  EXPECT_NEAR(r["gender_accuracy"].get<double>(), 75.0, 1e-9);  // 3 of 4 known
  EXPECT_TRUE(r["ethnicity_accuracy"].is_null());
  EXPECT_NE(format_report(r).find("MAE 3.800"), std::string::npos);
}

TEST(Report, WorstPredictionsComeFirstAndPlotsAreImages) {
  const std::string dir = faceage::testing::temp_dir("report");
  std::vector<Sample> samples(5);
  for (size_t i = 0; i < 5; ++i) samples[i].image_path = "face" + std::to_string(i) + ".jpg";
  write_worst_predictions(dir + "/worst.csv", example(), samples, 2);
  const std::string csv = read_file_bytes(dir + "/worst.csv");
  EXPECT_LT(csv.find("face3.jpg"), csv.find("face1.jpg"));  // error 12 before error 5
  EXPECT_EQ(csv.find("face0.jpg"), std::string::npos);
  write_confusion_plot(dir + "/confusion.png", example());
  EXPECT_GT(read_image(dir + "/confusion.png").cols, 100);
}

}  // namespace
}  // namespace faceage
