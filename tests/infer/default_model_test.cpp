// The bundled default model (models/default-age-model.safetensors) through the whole
// pipeline on real in-the-wild photos. Thresholds sit well below what docs/model-card.md
// measured, so they catch a broken pipeline (wrong crop, colour order, frame) rather than
// small changes in accuracy.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faceage/data/deduplicate.h"
#include "faceage/infer/predictor.h"
#include "faceage/io/image.h"
#include "faceage/learn/training_data.h"
#include "faceage/model/model_file.h"
#include "test_support.h"

namespace faceage::testing {
namespace {

// FairFace's ranges as [low, high + 1) in years.
int range_index(double age) {
  const double upper[] = {3, 10, 20, 30, 40, 50, 60, 70};
  for (int i = 0; i < 8; ++i)
    if (age < upper[i]) return i;
  return 8;
}

int range_index(const std::string& name) {
  const char* names[] = {"0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+"};
  for (int i = 0; i < 9; ++i)
    if (name == names[i]) return i;
  return -1;
}

const FacePrediction& central_face(const std::vector<FacePrediction>& faces, cv::Size size) {
  const FacePrediction* best = &faces.front();
  double best_distance = 1e18;
  for (const FacePrediction& face : faces) {
    const FaceBox& b = face.aligned->detection.box;
    const double dx = (b.x1 + b.x2) / 2 - size.width / 2.0, dy = (b.y1 + b.y2) / 2 - size.height / 2.0;
    if (dx * dx + dy * dy < best_distance) best_distance = dx * dx + dy * dy, best = &face;
  }
  return *best;
}

TEST(DefaultModel, CarriesItsPreprocessingAndLicence) {
  const ModelSpec spec = read_model_spec(find_default_model());
  // Trained on aligned photos (All-Age-Faces) and UTKFace crops: prediction cuts the
  // aligned box grown by the margin, with the face network's own normalisation.
  EXPECT_EQ(spec.network.architecture, "face_resnet29");
  EXPECT_EQ(spec.preprocessing.input_size, 150);
  EXPECT_TRUE(spec.preprocessing.align);
  EXPECT_FALSE(spec.preprocessing.frame);
  EXPECT_NEAR(spec.preprocessing.std[0], 256.0 / 255, 1e-6);
  EXPECT_TRUE(spec.network.multitask);
  EXPECT_NE(spec.card.value("licence", "").find("non-commercial"), std::string::npos);
  EXPECT_LE(std::filesystem::file_size(find_default_model()), 25u * 1000 * 1000);
}

TEST(DefaultModel, FairfaceAgesFallInOrNextToTheLabelledRange) {
  PredictorOptions options;
  options.threads = 1;
  const AgePredictor predictor(options);
  const std::filesystem::path folder = std::filesystem::path(data_dir()) / "fairface";
  std::ifstream in(folder / "labels.json");
  ASSERT_TRUE(in) << (folder / "labels.json");
  const nlohmann::json labels = nlohmann::json::parse(in);
  int photos = 0, found = 0, exact = 0, near = 0;
  for (size_t i = 0; i < labels.size(); i += 6) {  // 45 photos across the sample
    const cv::Mat photo = read_image((folder / labels[i]["filename"].get<std::string>()).string());
    const std::vector<FacePrediction> faces = predictor.predict(photo);
    ++photos;
    if (faces.empty()) continue;
    ++found;
    const int truth = range_index(labels[i]["age"].get<std::string>());
    const int predicted = range_index(central_face(faces, photo.size()).age);
    exact += predicted == truth;
    near += std::abs(predicted - truth) <= 1;
  }
  std::printf("FairFace, %d photos: face found in %d, range right %d, right or next %d\n", photos,
              found, exact, near);
  EXPECT_GE(found, photos - 1);
  EXPECT_GE(near, found * 60 / 100);  // measured 33 of 45 (73%), exact 16 (36%)
  EXPECT_GE(exact, found * 25 / 100);
}

// The optimised inference plans on real faces: auto (oneDNN layout, folded batch norm)
// must give the plain network's ages within 0.05 years; bfloat16 is measured and printed
// (docs/performance.md) and only bounded loosely, since it is an explicit opt-in.
TEST(DefaultModel, OptimisedInferenceGivesThePlainNetworksAges) {
  std::vector<cv::Mat> faces;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(data_dir()) / "utkface")) {
    if (entry.path().extension() != ".jpg") continue;
    faces.push_back(read_image(entry.path().string()));
    if (faces.size() == 48) break;
  }
  ASSERT_EQ(faces.size(), 48u);
  const auto ages = [&](const std::string& inference, const std::string& precision) {
    PredictorOptions options;
    options.inference = inference;
    options.precision = precision;
    options.batch_size = 16;
    std::vector<double> out;
    for (const FacePrediction& face : AgePredictor(options).predict_crops(faces))
      out.push_back(face.age);
    return out;
  };
  const std::vector<double> plain = ages("plain", "float32"), fast = ages("auto", "float32"),
                            half = ages("auto", "bfloat16");
  std::vector<double> fast_error, half_error;
  for (size_t i = 0; i < plain.size(); ++i) {
    fast_error.push_back(std::abs(fast[i] - plain[i]));
    half_error.push_back(std::abs(half[i] - plain[i]));
  }
  std::sort(fast_error.begin(), fast_error.end());
  std::sort(half_error.begin(), half_error.end());
  std::printf("48 UTKFace faces, age difference to the plain network: auto float32 median %.5f, "
              "max %.5f; bfloat16 median %.3f, max %.3f years\n",
              fast_error[24], fast_error.back(), half_error[24], half_error.back());
  EXPECT_LT(fast_error.back(), 0.05);
  EXPECT_GT(half_error.back(), 0.0) << "bfloat16 ran as float32";
  EXPECT_LT(half_error.back(), 3.0);
}

// The model file's reduced precisions (faceage calibrate, learn/precision_check.h) hold
// issue 20's bound on real faces this model never trained on: int8, which `auto` picks,
// within 0.05 years of float32's MAE on held-out UTKFace faces, and no more than half a
// point of FairFace range accuracy lost on whole photos.
TEST(DefaultModel, ValidatedReducedPrecisionsKeepFloat32Accuracy) {
  const ModelSpec spec = read_model_spec(find_default_model());
  ASSERT_TRUE(spec.precisions.validates("int8")) << "the default model was not calibrated";
  const double tolerance = spec.precision_check.at("tolerance_years").get<double>();
  EXPECT_LE(tolerance, 0.05);
  EXPECT_LE(std::abs(spec.precision_check["mae"]["int8"].get<double>() -
                     spec.precision_check["mae"]["float32"].get<double>()),
            tolerance);

  // Every 5th UTKFace face that is not in the model's training fingerprint.
  std::vector<std::string> notes;
  const std::vector<Sample> rows =
      read_evaluation_samples(data_dir() + "/utkface", "utkface", notes);
  std::vector<std::string> paths;
  for (size_t i = 0; i < rows.size(); i += 5) paths.push_back(rows[i].image_path);
  const std::vector<FileHash> hashes = hash_files(paths, 2);
  std::vector<cv::Mat> faces;
  std::vector<double> true_ages;
  for (size_t i = 0; i < paths.size(); ++i)
    if (hashes[i].hash && !spec.training_fingerprint->contains(*hashes[i].hash)) {
      faces.push_back(read_image(paths[i]));
      true_ages.push_back(rows[i * 5].age);
    }
  ASSERT_GE(faces.size(), 500u);
  const auto mae = [&](const std::string& precision) {
    PredictorOptions options;
    options.precision = precision;
    const std::vector<FacePrediction> predicted = AgePredictor(options).predict_crops(faces);
    double sum = 0;
    for (size_t i = 0; i < predicted.size(); ++i) sum += std::abs(predicted[i].age - true_ages[i]);
    return sum / predicted.size();
  };
  const double float32 = mae("float32"), int8 = mae("int8"), chosen = mae("auto");
  std::printf("%zu held-out UTKFace faces: MAE float32 %.4f, int8 %.4f years\n", faces.size(),
              float32, int8);
  EXPECT_LE(std::abs(int8 - float32), 0.05);
  EXPECT_NE(int8, float32) << "int8 ran as float32";
  EXPECT_EQ(chosen, int8) << "auto is not the validated int8";

  // FairFace's 270 photos, whole pipeline.
  const std::filesystem::path folder = std::filesystem::path(data_dir()) / "fairface";
  std::ifstream in(folder / "labels.json");
  const nlohmann::json labels = nlohmann::json::parse(in);
  const auto range_accuracy = [&](const std::string& precision) {
    PredictorOptions options;
    options.precision = precision;
    const AgePredictor predictor(options);
    int exact = 0, near = 0;
    for (const auto& label : labels) {
      const cv::Mat photo = read_image((folder / label["filename"].get<std::string>()).string());
      const std::vector<FacePrediction> found = predictor.predict(photo);
      if (found.empty()) continue;
      const int truth = range_index(label["age"].get<std::string>());
      const int predicted = range_index(central_face(found, photo.size()).age);
      exact += predicted == truth;
      near += std::abs(predicted - truth) <= 1;
    }
    return std::pair{100.0 * exact / labels.size(), 100.0 * near / labels.size()};
  };
  const auto [float32_exact, float32_near] = range_accuracy("float32");
  const auto [int8_exact, int8_near] = range_accuracy("int8");
  std::printf("FairFace range accuracy: float32 %.1f%% (%.1f%% within one), int8 %.1f%% (%.1f%%)\n",
              float32_exact, float32_near, int8_exact, int8_near);
  EXPECT_GE(int8_exact, float32_exact - 0.5);
  EXPECT_GE(int8_near, float32_near - 0.5);
}

TEST(DefaultModel, TwoPeopleGiveTwoFaces) {
  PredictorOptions options;
  options.threads = 1;
  const std::vector<FacePrediction> faces =
      AgePredictor(options).predict(read_image(data_dir() + "/fairface/fairface_0001.jpg"));
  EXPECT_EQ(faces.size(), 2u);
}

}  // namespace
}  // namespace faceage::testing
