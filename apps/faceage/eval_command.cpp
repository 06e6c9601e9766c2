// `faceage eval`: a trained model on a labelled dataset: MAE, CA(3/5/7), per age band,
// gender and ethnicity; a confusion plot and the worst predictions.
#include <filesystem>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/report.h"
#include "faceage/learn/training_data.h"
#include "faceage/nn/inference_optimization.h"
#include "predictor_cli.h"

namespace faceage::cli {
namespace {

struct EvalArguments {
  std::string model_path, data_path, format = "auto", output_dir;
  int batch_size = 32, threads = 2;
  size_t worst = 50;
  bool as_json = false;
  std::optional<bool> flip_average;  // unset: as the model file says
  std::string inference = "auto", precision = "float32";
};

int run_eval(const EvalArguments& args) {
  use_compute_threads(0);
  const LoadedModel model = load_model(args.model_path);
  std::vector<std::string> notes;
  const std::vector<Sample> samples = read_evaluation_samples(args.data_path, args.format, notes);
  for (const std::string& note : notes) spdlog::info("{}", note);

  TrainConfig config;
  config.batch_size = args.batch_size;
  config.loader_threads = args.threads;
  LoaderBatchSource source(samples, loader_options_for(config, model.spec.preprocessing, false));
  const LossOptions loss{model.spec.formulation, 2.0, 1.0};
  const bool flip_average = args.flip_average.value_or(model.spec.flip_average);
  optimize_for_inference(*model.network,
                         inference_plan_from_names(args.inference, args.precision,
                                                   model.spec.network.architecture, torch::kCPU,
                                                   args.batch_size * (flip_average ? 2 : 1)));
  const Predictions predictions =
      evaluate(*model.network, source, 0, loss, torch::kCPU, flip_average);
  if (predictions.true_age.empty()) fail("{}: no image could be read", args.data_path);

  nlohmann::json report = evaluation_report(predictions);
  report["model"] = args.model_path;
  report["data"] = args.data_path;
  report["flip_average"] = flip_average;
  report["inference"] = describe(model.network->inference_plan());
  report["images_skipped"] = source.loader().report().images_skipped;
  if (!args.output_dir.empty()) {
    std::filesystem::create_directories(args.output_dir);
    write_confusion_plot(args.output_dir + "/confusion.png", predictions);
    write_worst_predictions(args.output_dir + "/worst.csv", predictions, samples, args.worst);
    write_text_atomically(args.output_dir + "/report.json", report.dump(2) + "\n");
  }
  if (args.as_json)
    std::cout << report.dump() << "\n";
  else
    std::cout << format_report(report);
  return 0;
}

const RegisterCommand kEval{
    "eval", "Evaluate a trained model on a labelled dataset (MAE, CA(n), per group)",
    [](CLI::App& app) {
      auto args = std::make_shared<EvalArguments>();
      app.add_option("--model", args->model_path, "Model or checkpoint (.safetensors)")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--data", args->data_path, "Dataset: CSV or folder")->required()
          ->check(CLI::ExistingPath);
      app.add_option("--format", args->format, "auto, csv, utkface, megaage, morph, fgnet");
      app.add_option("--out", args->output_dir,
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
