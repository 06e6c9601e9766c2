// A model knows what it was trained on, end to end: a tiny `faceage train` on 200 real
// UTKFace crops writes checkpoints whose training fingerprint holds every train-split
// image; `faceage eval` on the run's train.csv warns with the count and reports it as
// "in_training_set", on validation.csv it finds none; `predict --cropped` warns too,
// `export --average-with` keeps the fingerprint, and a model without one gives no warning.
// Both checkpoints' cards also name the build that trained them (`faceage --version`).
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faceage/data/deduplicate.h"
#include "faceage/data/sample_csv.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/training_data.h"
#include "faceage/model/model_file.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {
namespace fs = std::filesystem;
using faceage::testing::cli_path;
using faceage::testing::run_command;

// 200 UTKFace crops spread over the whole folder (every 100th name), as a CSV.
std::string write_utkface_subset(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(faceage::testing::data_dir() + "/utkface"))
    names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  const std::string csv = dir + "/subset.csv";
  std::ofstream out(csv);
  out << "photo,age\n";
  for (size_t i = 0, rows = 0; i < names.size() && rows < 200; i += 100, ++rows)
    out << names[i] << "," << std::stoi(fs::path(names[i]).filename().string()) << "\n";
  return csv;
}

size_t found_in(const TrainingFingerprint& fingerprint, const std::vector<Sample>& samples) {
  size_t found = 0;
  for (const Sample& sample : samples)
    found += fingerprint.contains(content_hash(read_file_bytes(sample.image_path)));
  return found;
}

nlohmann::json eval_report(const std::string& model, const std::string& data_options,
                           const std::string& out, std::string& printed) {
  const auto result = run_command(cli_path() + " eval --threads 1 --model " + model + " " +
                                  data_options + " --out " + out);
  printed = result.output;
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return nlohmann::json::parse(read_file_bytes(out + "/report.json"));
}

TEST(TrainingFingerprintRun, EvalAndPredictKnowTheTrainingImages) {
  const std::string dir = faceage::testing::temp_dir("training-fingerprint-run");
  const std::string csv = write_utkface_subset(dir);
  const std::string run = dir + "/run";
  const auto trained = run_command(
      "OMP_NUM_THREADS=1 " + cli_path() + " train --config " + faceage::testing::source_dir() +
      "/configs/utkface/smoke-resnet18-64.toml --set data.format=csv --set data.path=" + csv +
      " --set data.max_samples=0 --set data.validation_fraction=0.25 --set augment.enabled=false"
      " --set train.epochs=1 --set train.batch_size=16 --set train.max_batches_per_epoch=2"
      " --set train.loader_threads=1 --set train.torch_threads=1 --set train.device=cpu --out " + run);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;

  const std::vector<Sample> train = read_samples_csv(run + "/train.csv").samples;
  const std::vector<Sample> validation = read_samples_csv(run + "/validation.csv").samples;
  ASSERT_GT(train.size(), 100u);
  ASSERT_GT(validation.size(), 30u);

  const std::string best = run + "/best.safetensors";
  for (const std::string& model : {best, run + "/last.safetensors"}) {
    const ModelSpec spec = read_model_spec(model);
    ASSERT_TRUE(spec.training_fingerprint.has_value()) << model;
    EXPECT_EQ(spec.training_fingerprint->images(), train.size());
    EXPECT_EQ(found_in(*spec.training_fingerprint, train), train.size()) << model;
    // The card names the build that trained it, as `faceage --version` does.
    std::string version = run_command(cli_path() + " --version").output;
    version.erase(version.find_last_not_of(" \n") + 1);
    EXPECT_EQ(spec.card.value("trained_with", ""), version) << model;
  }
  const TrainingFingerprint fingerprint = *read_model_spec(best).training_fingerprint;
  const size_t validation_found = found_in(fingerprint, validation);
  EXPECT_LE(validation_found, 1u);  // ~1e-3 false positives per image

  std::string printed;
  const nlohmann::json on_train = eval_report(best, "--data " + run + "/train.csv", dir + "/eval-train", printed);
  EXPECT_EQ(on_train.at("in_training_set").get<size_t>(), train.size());
  const std::string n = std::to_string(train.size());
  EXPECT_NE(printed.find("faceage eval: warning: " + n + " of " + n +
                         " images (100.0%) were in this model's training set; its figures on "
                         "them are not held-out accuracy"),
            std::string::npos)
      << printed;

  const nlohmann::json on_validation =
      eval_report(best, "--data " + run + "/validation.csv", dir + "/eval-validation", printed);
  EXPECT_EQ(on_validation.at("in_training_set").get<size_t>(), validation_found);
  EXPECT_EQ(printed.find("warning:") != std::string::npos, validation_found > 0) << printed;

  // Both at once: each set counted on its own.
  const nlohmann::json both = eval_report(
      best, "--data " + run + "/train.csv --data " + run + "/validation.csv", dir + "/eval-both", printed);
  EXPECT_EQ(both.at("in_training_set").get<size_t>(), train.size() + validation_found);
  size_t sets_seen = 0;
  for (const auto& [name, set] : both.at("sets").items()) {
    const bool is_train = set.at("data").get<std::string>() == run + "/train.csv";
    EXPECT_EQ(set.at("in_training_set").get<size_t>(), is_train ? train.size() : validation_found) << name;
    ++sets_seen;
  }
  EXPECT_EQ(sets_seen, 2u);
  EXPECT_NE(printed.find("training set (train: " + n + " of " + n + " images (100.0%); validation: "), std::string::npos) << printed;

  // predict --cropped on three training crops and one validation crop.
  const auto predicted = run_command(cli_path() + " predict --cropped --threads 1 --model " + best +
                                     " " + train[0].image_path + " " + train[1].image_path + " " +
                                     train[2].image_path + " " + validation[0].image_path);
  EXPECT_EQ(predicted.exit_code, 0) << predicted.output;
  const size_t expected = 3 + found_in(fingerprint, {validation[0]});
  EXPECT_NE(predicted.output.find("faceage predict: warning: " + std::to_string(expected) +
                                  " of 4 images"),
            std::string::npos)
      << predicted.output;

  // A model file without a fingerprint (as written before faceage recorded one): no
  // warning, and the JSON says the count is unknown.
  LoadedModel unrecorded = load_model(best);
  unrecorded.spec.training_fingerprint.reset();
  save_model(dir + "/unrecorded.safetensors", *unrecorded.network, unrecorded.spec);
  const nlohmann::json unknown = eval_report(dir + "/unrecorded.safetensors",
                                             "--data " + run + "/train.csv", dir + "/eval-unrecorded", printed);
  EXPECT_TRUE(unknown.at("in_training_set").is_null());
  EXPECT_EQ(printed.find("warning:"), std::string::npos) << printed;

  // Export (averaged with the last checkpoint, fp16) carries it through.
  const std::string exported = dir + "/exported.safetensors";
  const auto export_result = run_command(cli_path() + " export --model " + best +
                                         " --average-with " + run + "/last.safetensors --half --out " +
                                         exported);
  ASSERT_EQ(export_result.exit_code, 0) << export_result.output;
  const ModelSpec exported_spec = read_model_spec(exported);
  ASSERT_TRUE(exported_spec.training_fingerprint.has_value());
  EXPECT_EQ(found_in(*exported_spec.training_fingerprint, train), train.size());
  EXPECT_EQ(found_in(*exported_spec.training_fingerprint, validation), validation_found);
}

// The bundled model's fingerprint holds its two train parts: UTKFace's (seed 1, the same
// split configs/utkface/default-model.toml makes) and All-Age-Faces' aligned photos
// (7,761; their rows need `faceage align`, so only the count is checked here).
TEST(TrainingFingerprintRun, TheBundledModelKnowsItsTrainSplit) {
  const ModelSpec spec = read_model_spec(faceage::testing::source_dir() + "/models/default-age-model.safetensors");
  ASSERT_TRUE(spec.training_fingerprint.has_value());
  const TrainConfig config = load_train_config(
      faceage::testing::source_dir() + "/configs/utkface/default-model.toml",
      {"data.path=" + faceage::testing::data_dir() + "/utkface"});
  const TrainingData data = prepare_training_data(config);
  ASSERT_EQ(data.train.size(), 15730u);
  EXPECT_EQ(spec.training_fingerprint->images(), data.train.size() + 7761);
  EXPECT_EQ(found_in(*spec.training_fingerprint, data.train), data.train.size());
  std::vector<Sample> held_out = data.validation;
  held_out.insert(held_out.end(), data.test.begin(), data.test.end());
  EXPECT_LE(found_in(*spec.training_fingerprint, held_out), held_out.size() * 3 / 1000);
}

}  // namespace
}  // namespace faceage
