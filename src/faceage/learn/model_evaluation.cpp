#include "faceage/learn/model_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/dataset_membership.h"
#include "faceage/learn/report.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/training_images_fingerprint.h"
#include "faceage/model/model_file.h"
#include "faceage/nn/inference_optimization.h"

namespace faceage {
namespace {

// What to evaluate: the rows of every set, set after set, and which set each row is from.
struct EvaluationSets {
  std::vector<Sample> samples;
  DatasetMembership membership;
  std::vector<std::string> paths;  // per set
};

EvaluationSets sets_from_data_paths(const EvaluationRequest& request,
                                    std::vector<std::string>& notes) {
  if (request.formats.size() > 1 && request.formats.size() != request.data_paths.size())
    fail("evaluation: {} formats for {} datasets (give one for all, or one per dataset)",
         request.formats.size(), request.data_paths.size());
  EvaluationSets sets;
  std::vector<size_t> counts;
  for (size_t i = 0; i < request.data_paths.size(); ++i) {
    const std::string& path = request.data_paths[i];
    const std::string format = request.formats.empty()      ? "auto"
                               : request.formats.size() == 1 ? request.formats[0]
                                                             : request.formats[i];
    std::vector<Sample> samples = read_evaluation_samples(path, format, notes);
    counts.push_back(samples.size());
    sets.samples.insert(sets.samples.end(), samples.begin(), samples.end());
    std::string name = default_set_name(path);
    for (int copy = 2; std::count(sets.membership.names.begin(), sets.membership.names.end(), name);
         ++copy)
      name = default_set_name(path) + "#" + std::to_string(copy);
    sets.membership.names.push_back(name);
    sets.paths.push_back(path);
  }
  sets.membership = membership_of_blocks(sets.membership.names, counts);
  return sets;
}

// A training configuration's datasets, read and split as training does: each set's
// validation (or test) part.
EvaluationSets sets_from_config(const EvaluationRequest& request, std::vector<std::string>& notes) {
  if (request.part != "validation" && request.part != "test")
    fail("evaluation part '{}': expected validation or test", request.part);
  const TrainConfig config = load_train_config(request.config_path, request.overrides);
  TrainingData data = request.prepared ? *request.prepared : prepare_training_data(config);
  notes = data.notes;
  const bool test = request.part == "test";
  EvaluationSets sets;
  sets.samples = test ? std::move(data.test) : std::move(data.validation);
  if (sets.samples.empty())
    fail("{}: the sets have no {} part (data.{}_fraction is 0)", request.config_path, request.part,
         request.part);
  sets.membership = membership(data, test ? &PreparedSet::test : &PreparedSet::validation);
  for (const DatasetConfig& set : training_sets(config)) sets.paths.push_back(set.path);
  return sets;
}

// Rows of set `set` that were training images.
size_t training_images_in_set(const TrainingSetMatches& matches, const DatasetMembership& membership,
                              size_t set) {
  size_t found = 0;
  for (size_t row = 0; row < matches.in_training.size(); ++row)
    found += membership.set_of_row[row] == set && matches.in_training[row];
  return found;
}

// Which evaluated files were this model's training images (nullopt: the model file has no
// training fingerprint), and the warning with their count, per set when there are several.
std::optional<TrainingSetMatches> training_images_among(const LoadedModel& model,
                                                        const EvaluationSets& sets, int threads,
                                                        std::string& warning) {
  if (!model.spec.training_fingerprint) return std::nullopt;
  std::vector<std::string> paths;
  for (const Sample& sample : sets.samples) paths.push_back(sample.image_path);
  TrainingSetMatches matches =
      match_training_images(*model.spec.training_fingerprint, paths, std::max(1, threads));
  if (matches.found == 0) return matches;
  std::string per_set;
  if (sets.membership.names.size() > 1)
    for (size_t set = 0; set < sets.membership.names.size(); ++set) {
      const size_t total = static_cast<size_t>(
          std::count(sets.membership.set_of_row.begin(), sets.membership.set_of_row.end(), set));
      per_set += fmt::format("{}{}: {}", per_set.empty() ? " (" : "; ", sets.membership.names[set],
                             TrainingSetMatches::describe(
                                 training_images_in_set(matches, sets.membership, set), total));
    }
  if (!per_set.empty()) per_set += ")";
  warning = TrainingSetMatches::describe(matches.found, paths.size()) +
            " were in this model's training set" + per_set +
            "; its figures on them are not held-out accuracy";
  return matches;
}

}  // namespace

ModelEvaluation evaluate_model(const EvaluationRequest& request) {
  if (request.data_paths.empty() == request.config_path.empty())
    fail("evaluation: name the datasets either by data paths or by a training configuration");
  const LoadedModel model = load_model(request.model_path);
  std::vector<std::string> notes;
  EvaluationSets sets = request.config_path.empty() ? sets_from_data_paths(request, notes)
                                                    : sets_from_config(request, notes);
  for (const std::string& note : notes) spdlog::info("{}", note);

  ModelEvaluation evaluation;
  std::string warning;
  const std::optional<TrainingSetMatches> trained_on =
      training_images_among(model, sets, request.loader_threads, warning);
  if (!warning.empty()) {
    evaluation.warnings.push_back(warning);
    if (request.on_warning) request.on_warning(warning);
  }

  TrainConfig config;
  config.batch_size = request.batch_size;
  config.loader_threads = request.loader_threads;
  LoaderBatchSource source(sets.samples,
                           loader_options_for(config, model.spec.preprocessing, false));
  const LossOptions loss{model.spec.formulation, 2.0, 1.0};
  const bool flip_average = request.flip_average.value_or(model.spec.flip_average);
  optimize_for_inference(*model.network,
                         inference_plan_for(model.spec, request.model_path, request.inference,
                                            request.precision, torch::kCPU,
                                            request.batch_size * (flip_average ? 2 : 1)));
  evaluation.predictions = evaluate(*model.network, source, 0, loss, torch::kCPU, flip_average);
  const Predictions& predictions = evaluation.predictions;
  const std::string data_label =
      request.config_path.empty() ? fmt::format("{}", fmt::join(request.data_paths, ", "))
                                  : request.config_path + " (" + request.part + ")";
  if (predictions.true_age.empty()) fail("{}: no image could be read", data_label);

  nlohmann::json& report = evaluation.report;
  report = evaluation_report(predictions);
  report["model"] = request.model_path;
  report["data"] = data_label;
  report["flip_average"] = flip_average;
  report["inference"] = describe(model.network->inference_plan());
  report["images_skipped"] = source.loader().report().images_skipped;
  // Evaluated files that were training images (null: the model does not record its own).
  report["in_training_set"] = trained_on ? nlohmann::json(trained_on->found) : nlohmann::json();
  std::string& tables = evaluation.tables;
  const bool several = sets.membership.names.size() > 1;
  if (several) {
    report["sets"] = nlohmann::json::object();
    for (size_t set = 0; set < sets.membership.names.size(); ++set) {
      const std::string& name = sets.membership.names[set];
      const Predictions part = predictions_of_set(predictions, sets.membership, set);
      if (part.true_age.empty()) {
        tables += fmt::format("== {} ({}): no image could be read\n", name, sets.paths[set]);
        continue;
      }
      nlohmann::json set_report = evaluation_report(part);
      set_report["data"] = sets.paths[set];
      set_report["in_training_set"] =
          trained_on ? nlohmann::json(training_images_in_set(*trained_on, sets.membership, set))
                     : nlohmann::json();
      tables += fmt::format("== {} ({})\n", name, sets.paths[set]) + format_report(set_report);
      report["sets"][name] = std::move(set_report);
    }
    tables += "== all sets\n";
  }
  tables += format_report(report);
  evaluation.samples = std::move(sets.samples);
  return evaluation;
}

void write_evaluation_files(const std::string& folder, const ModelEvaluation& evaluation,
                            size_t worst) {
  std::filesystem::create_directories(folder);
  write_confusion_plot(folder + "/confusion.png", evaluation.predictions);
  write_worst_predictions(folder + "/worst.csv", evaluation.predictions, evaluation.samples, worst);
  write_text_atomically(folder + "/report.json", evaluation.report.dump(2) + "\n");
}

}  // namespace faceage
