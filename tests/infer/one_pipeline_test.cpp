// One face pipeline for training and prediction (issue: "one function makes the network's
// input"): on real in-the-wild photos (All-Age-Faces), the input the trainer's loader
// builds from a `faceage align` row equals, pixel for pixel, the input AgePredictor builds
// for the same photo with the same detector settings.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "faceage/data/dataset.h"
#include "faceage/data/dataset_alignment.h"
#include "faceage/data/loader.h"
#include "faceage/infer/predictor.h"
#include "faceage/io/image.h"
#include "infer_test_support.h"

namespace faceage {
namespace {
using namespace faceage::testing;
namespace fs = std::filesystem;

// Every 400th All-Age-Faces photo (all ages, both genders), as a labels CSV of its own.
std::string all_age_faces_sample(const std::string& folder, size_t count) {
  const fs::path aaf = fs::path(data_dir()) / "allagefaces";
  std::ifstream in(aaf / "labels.csv");
  std::string line;
  std::getline(in, line);  // header
  std::ofstream out(fs::path(folder) / "labels.csv");
  out << "photo,age,gender\n";
  size_t row = 0, written = 0;
  while (std::getline(in, line) && written < count)
    if (row++ % 400 == 0) out << (aaf / line.substr(0, line.find(','))).string()
                              << line.substr(line.find(',')) << "\n", ++written;
  return (fs::path(folder) / "labels.csv").string();
}

TEST(OnePipeline, TheTrainersInputForAnAlignedRowIsThePredictorsInputForThePhoto) {
  PredictorOptions options;
  options.model_path = small_model_file("one_pipeline_model");  // align = true, margin 0.2
  options.threads = 1;
  const AgePredictor predictor(options);
  const Preprocessing& preprocessing = predictor.model().preprocessing;
  ASSERT_TRUE(preprocessing.align);
  ASSERT_GT(preprocessing.margin, 0);

  // `faceage align` with the predictor's own detector and alignment settings.
  const std::string folder = temp_dir("one_pipeline");
  ASSERT_TRUE(fs::exists(all_age_faces_sample(folder, 12)));
  const ReadResult photos = read_dataset({folder, DatasetFormat::automatic});  // its labels.csv
  ASSERT_EQ(photos.samples.size(), 12u);
  const FaceDetector detector("", options.detection);
  DatasetAlignmentOptions align_options;
  align_options.alignment = options.alignment;
  const std::string rows_path = folder + "/rows.csv";
  const DatasetAlignmentSummary summary =
      align_samples(photos.samples, detector, rows_path, align_options);
  ASSERT_GE(summary.aligned, 11u);

  // The trainer's validation loader (no augmentation) over the aligned rows.
  const std::vector<Sample> rows = read_dataset({rows_path, DatasetFormat::csv}).samples;
  LoaderOptions loader_options;
  loader_options.batch_size = rows.size();
  loader_options.shuffle = false;
  loader_options.threads = 0;
  loader_options.preprocessing = preprocessing;
  DataLoader loader(rows, loader_options);
  loader.start_epoch(0);
  const std::optional<Batch> batch = loader.next();
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->images.size(0), static_cast<int64_t>(rows.size()));

  size_t compared = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const cv::Mat photo = read_image(rows[i].image_path);
    const std::vector<AgePredictor::NetworkInput> inputs = predictor.network_inputs(photo);
    // The row holds the largest face (align's policy); the predictor gives every face.
    const AgePredictor::NetworkInput* same = nullptr;
    for (const auto& input : inputs)
      if (!same || input.aligned.detection.box.area() > same->aligned.detection.box.area())
        same = &input;
    ASSERT_NE(same, nullptr) << rows[i].image_path;
    EXPECT_EQ(same->aligned.angle, *rows[i].angle) << rows[i].image_path;
    const torch::Tensor predicted = to_input_tensor(same->face, preprocessing);
    const torch::Tensor trained = batch->images[static_cast<int64_t>(i)];
    EXPECT_EQ((predicted - trained).abs().max().item<float>(), 0.0f) << rows[i].image_path;
    ++compared;
  }
  EXPECT_EQ(compared, rows.size());
  std::printf("%zu All-Age-Faces photos: the trainer's and the predictor's inputs are identical\n",
              compared);
}

}  // namespace
}  // namespace faceage
