#pragma once
// A trained model on labelled datasets, as `faceage eval` and the Python module's
// faceage.evaluate run it: MAE, CA(3/5/7), per age band, gender and ethnicity, overall and
// per dataset when there are several (repeated data paths, or a training configuration's
// sets split as training splits them).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/data/sample.h"
#include "faceage/learn/evaluation.h"

namespace faceage {

struct TrainingData;

struct EvaluationRequest {
  std::string model_path;
  // Datasets (CSV or folder), and their formats: none (auto for all), one for all, or one
  // per dataset. Or, instead, a training configuration whose sets' `part` is evaluated.
  std::vector<std::string> data_paths, formats;
  std::string config_path, part = "validation";  // part: validation or test
  std::vector<std::string> overrides;             // the configuration's, "section.key=value"
  // The configuration's sets as prepare_training_data() made them, when the caller has
  // them already: reading and deduplicating them again hashes every image (calibrate
  // evaluates three times). Null: prepared here. Must outlive the call.
  const TrainingData* prepared = nullptr;
  int batch_size = 32;
  int loader_threads = 2;
  std::optional<bool> flip_average;  // unset: as the model file says
  std::string inference = "auto", precision = "auto";  // nn/inference_plan.h
  // Called at once with each warning (e.g. evaluated files that were training images);
  // they are in ModelEvaluation::warnings too.
  std::function<void(const std::string&)> on_warning;
};

struct ModelEvaluation {
  nlohmann::json report;   // what `faceage eval --json` prints
  std::string tables;      // the same for people: a table per dataset and one for all
  Predictions predictions;
  std::vector<Sample> samples;  // predictions.sample_indices index these
  std::vector<std::string> warnings;
};

// Throws faceage::Error for a missing model or dataset, formats that do not match the
// datasets, or datasets of which no image could be read.
ModelEvaluation evaluate_model(const EvaluationRequest& request);

// `faceage eval --out`: confusion.png, worst.csv (the `worst` largest errors) and
// report.json in `folder`.
void write_evaluation_files(const std::string& folder, const ModelEvaluation& evaluation,
                            size_t worst);

}  // namespace faceage
