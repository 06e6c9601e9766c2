// `faceage eval`: a trained model on labelled datasets: MAE, CA(3/5/7), per age band,
// gender and ethnicity; a confusion plot and the worst predictions. Several datasets
// (repeated --data, or a training configuration's sets) get a table each and one for
// all of them together.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/dataset_membership.h"
#include "faceage/learn/report.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/training_images_fingerprint.h"
#include "faceage/nn/inference_optimization.h"
#include "predictor_cli.h"

namespace faceage::cli {
namespace {

struct EvalArguments {
  std::string model_path, output_dir;
  std::vector<std::string> data_paths, formats;
  std::string config_path, part = "validation";
  std::vector<std::string> overrides;
  int batch_size = 32, threads = 2;
  size_t worst = 50;
  bool as_json = false;
  std::optional<bool> flip_average;  // unset: as the model file says
  std::string inference = "auto", precision = "float32";
};

// What to evaluate: the rows of every set, set after set, and which set each row is from.
struct EvaluationSets {
  std::vector<Sample> samples;
  DatasetMembership membership;
  std::vector<std::string> paths;  // per set
};

EvaluationSets sets_from_data_options(const EvalArguments& args, std::vector<std::string>& notes) {
  if (args.formats.size() > 1 && args.formats.size() != args.data_paths.size())
    fail("--format: {} formats for {} --data datasets (give one for all, or one per --data)",
         args.formats.size(), args.data_paths.size());
  EvaluationSets sets;
  std::vector<size_t> counts;
  for (size_t i = 0; i < args.data_paths.size(); ++i) {
    const std::string& path = args.data_paths[i];
    const std::string format = args.formats.empty()      ? "auto"
                               : args.formats.size() == 1 ? args.formats[0]
                                                          : args.formats[i];
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
EvaluationSets sets_from_config(const EvalArguments& args, std::vector<std::string>& notes) {
  const TrainConfig config = load_train_config(args.config_path, args.overrides);
  TrainingData data = prepare_training_data(config);
  notes = data.notes;
  const bool test = args.part == "test";
  EvaluationSets sets;
  sets.samples = test ? std::move(data.test) : std::move(data.validation);
  if (sets.samples.empty())
    fail("{}: the sets have no {} part (data.{}_fraction is 0)", args.config_path, args.part,
         args.part);
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
// training fingerprint); warns on stderr with the count, per set when there are several.
std::optional<TrainingSetMatches> training_images_among(const LoadedModel& model,
                                                        const EvaluationSets& sets, int threads) {
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
  std::cerr << "faceage eval: warning: " << TrainingSetMatches::describe(matches.found, paths.size())
            << " were in this model's training set" << per_set
            << "; its figures on them are not held-out accuracy\n";
  return matches;
}

int run_eval(const EvalArguments& args) {
  if (args.data_paths.empty() && args.config_path.empty())
    fail("eval: no dataset: give --data (repeatable) or --config");
  if (!args.data_paths.empty() && !args.config_path.empty())
    fail("eval: --data and --config both name datasets: give one of them");
  use_compute_threads(0);
  const LoadedModel model = load_model(args.model_path);
  std::vector<std::string> notes;
  const EvaluationSets sets = args.config_path.empty() ? sets_from_data_options(args, notes)
                                                       : sets_from_config(args, notes);
  for (const std::string& note : notes) spdlog::info("{}", note);

  const std::optional<TrainingSetMatches> trained_on = training_images_among(model, sets, args.threads);

  TrainConfig config;
  config.batch_size = args.batch_size;
  config.loader_threads = args.threads;
  LoaderBatchSource source(sets.samples,
                           loader_options_for(config, model.spec.preprocessing, false));
  const LossOptions loss{model.spec.formulation, 2.0, 1.0};
  const bool flip_average = args.flip_average.value_or(model.spec.flip_average);
  optimize_for_inference(*model.network,
                         inference_plan_from_names(args.inference, args.precision,
                                                   model.spec.network.architecture, torch::kCPU,
                                                   args.batch_size * (flip_average ? 2 : 1)));
  const Predictions predictions =
      evaluate(*model.network, source, 0, loss, torch::kCPU, flip_average);
  const std::string data_label =
      args.config_path.empty() ? fmt::format("{}", fmt::join(args.data_paths, ", "))
                               : args.config_path + " (" + args.part + ")";
  if (predictions.true_age.empty()) fail("{}: no image could be read", data_label);

  nlohmann::json report = evaluation_report(predictions);
  report["model"] = args.model_path;
  report["data"] = data_label;
  report["flip_average"] = flip_average;
  report["inference"] = describe(model.network->inference_plan());
  report["images_skipped"] = source.loader().report().images_skipped;
  // Evaluated files that were training images (null: the model does not record its own).
  report["in_training_set"] = trained_on ? nlohmann::json(trained_on->found) : nlohmann::json();
  std::string tables;
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
  if (!args.output_dir.empty()) {
    std::filesystem::create_directories(args.output_dir);
    write_confusion_plot(args.output_dir + "/confusion.png", predictions);
    write_worst_predictions(args.output_dir + "/worst.csv", predictions, sets.samples, args.worst);
    write_text_atomically(args.output_dir + "/report.json", report.dump(2) + "\n");
  }
  if (args.as_json)
    std::cout << report.dump() << "\n";
  else
    std::cout << tables;
  return 0;
}

const RegisterCommand kEval{
    "eval", "Evaluate a trained model on a labelled dataset (MAE, CA(n), per group)",
    [](CLI::App& app) {
      auto args = std::make_shared<EvalArguments>();
      app.add_option("--model", args->model_path, "Model or checkpoint (.safetensors)")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--data", args->data_paths,
                     "Dataset: CSV or folder (repeatable: a table per dataset and one for all)")
          ->check(CLI::ExistingPath);
      app.add_option("--format", args->formats,
                     "auto, csv, utkface, megaage, morph, fgnet (one for all --data, or one each)");
      app.add_option("--config", args->config_path,
                     "Training configuration: evaluate each of its datasets' --part, split as "
                     "training splits them")
          ->check(CLI::ExistingFile);
      app.add_option("--part", args->part, "With --config: validation or test")
          ->check(CLI::IsMember({"validation", "test"}));
      app.add_option("--set", args->overrides, "With --config: override a setting (repeatable)");
      app.add_option("--out,-o,--output", args->output_dir,
                     "Folder for confusion.png, worst.csv and report.json");
      app.add_option("--worst", args->worst, "Rows in worst.csv")->check(CLI::NonNegativeNumber);
      app.add_option("--batch-size", args->batch_size, "Images per forward pass")
          ->check(CLI::Range(1, 4096));
      app.add_option("--threads", args->threads, "Loader threads")->check(CLI::Range(0, 64));
      app.add_option("--flip-average", args->flip_average,
                     "Average each face with its mirror (default: as the model file says)");
      add_inference_options(app, args->inference, args->precision);
      app.add_flag("--json", args->as_json, "Print the report as one JSON line");
      return std::function<int()>([args] { return run_eval(*args); });
    }};

}  // namespace
}  // namespace faceage::cli
