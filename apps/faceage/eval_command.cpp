// `faceage eval`: a trained model on labelled datasets: MAE, CA(3/5/7), per age band,
// gender and ethnicity; a confusion plot and the worst predictions. Several datasets
// (repeated --data, or a training configuration's sets) get a table each and one for
// all of them together.
#include <iostream>
#include <optional>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/learn/model_evaluation.h"
#include "predictor_cli.h"

namespace faceage::cli {
namespace {

// The library's request (learn/model_evaluation.h), filled by the options, plus what only
// the command does with the result.
struct EvalArguments {
  EvaluationRequest request;
  std::string output_dir;
  size_t worst = 50;
  bool as_json = false;
};

int run_eval(EvalArguments& args) {
  EvaluationRequest& request = args.request;
  if (request.data_paths.empty() && request.config_path.empty())
    fail("eval: no dataset: give --data (repeatable) or --config");
  if (!request.data_paths.empty() && !request.config_path.empty())
    fail("eval: --data and --config both name datasets: give one of them");
  if (request.formats.size() > 1 && request.formats.size() != request.data_paths.size())
    fail("--format: {} formats for {} --data datasets (give one for all, or one per --data)",
         request.formats.size(), request.data_paths.size());
  use_compute_threads(0);
  request.on_warning = [](const std::string& warning) {
    std::cerr << "faceage eval: warning: " << warning << "\n";
  };
  const ModelEvaluation evaluation = evaluate_model(request);
  if (!args.output_dir.empty()) write_evaluation_files(args.output_dir, evaluation, args.worst);
  if (args.as_json)
    std::cout << evaluation.report.dump() << "\n";
  else
    std::cout << evaluation.tables;
  return 0;
}

const RegisterCommand kEval{
    "eval", "Evaluate a trained model on a labelled dataset (MAE, CA(n), per group)",
    [](CLI::App& app) {
      auto args = std::make_shared<EvalArguments>();
      app.add_option("--model", args->request.model_path, "Model or checkpoint (.safetensors)")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--data", args->request.data_paths,
                     "Dataset: CSV or folder (repeatable: a table per dataset and one for all)")
          ->check(CLI::ExistingPath);
      app.add_option("--format", args->request.formats,
                     "auto, csv, utkface, megaage, morph, fgnet (one for all --data, or one each)");
      app.add_option("--config", args->request.config_path,
                     "Training configuration: evaluate each of its datasets' --part, split as "
                     "training splits them")
          ->check(CLI::ExistingFile);
      app.add_option("--part", args->request.part, "With --config: validation or test")
          ->check(CLI::IsMember({"validation", "test"}));
      app.add_option("--set", args->request.overrides,
                     "With --config: override a setting (repeatable)");
      app.add_option("--out,-o,--output", args->output_dir,
                     "Folder for confusion.png, worst.csv and report.json");
      app.add_option("--worst", args->worst, "Rows in worst.csv")->check(CLI::NonNegativeNumber);
      app.add_option("--batch-size", args->request.batch_size, "Images per forward pass")
          ->check(CLI::Range(1, 4096));
      app.add_option("--threads", args->request.loader_threads, "Loader threads")
          ->check(CLI::Range(0, 64));
      app.add_option("--flip-average", args->request.flip_average,
                     "Average each face with its mirror (default: as the model file says)");
      add_inference_options(app, args->request.inference, args->request.precision);
      app.add_flag("--json", args->as_json, "Print the report as one JSON line");
      return std::function<int()>([args] { return run_eval(*args); });
    }};

}  // namespace
}  // namespace faceage::cli
