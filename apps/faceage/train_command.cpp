// `faceage train`: one training run from a configuration file; rerun to resume.
#include <filesystem>
#include <iostream>

#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/data/sample_csv.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/trainer.h"

namespace faceage::cli {
namespace {

struct TrainArguments {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string output_dir;
  bool print_config = false;
};

int run_train(const TrainArguments& args) {
  std::vector<std::string> overrides = args.overrides;
  if (!args.output_dir.empty()) overrides.push_back("train.output_dir=" + args.output_dir);
  const TrainConfig config = load_train_config(args.config_path, overrides);
  if (args.print_config) {
    std::cout << to_json(config).dump(2) << "\n";
    return 0;
  }
  const TrainingData data = prepare_training_data(config);
  for (const std::string& note : data.notes) spdlog::info("{}", note);
  // The split as CSV beside the checkpoints: what was trained and validated on, for
  // `faceage eval` and for anyone reproducing the run.
  std::filesystem::create_directories(config.output_dir);
  write_samples_csv(config.output_dir + "/train.csv", data.train);
  write_samples_csv(config.output_dir + "/validation.csv", data.validation);
  if (!data.test.empty()) write_samples_csv(config.output_dir + "/test.csv", data.test);

  const ModelSpec spec = model_spec_for(config);
  LoaderBatchSource train(data.train, loader_options_for(config, spec.preprocessing, true));
  LoaderBatchSource validation(data.validation,
                               loader_options_for(config, spec.preprocessing, false));
  Trainer trainer(config, spec, train, validation);
  const TrainingResult result = trainer.run();
  const LoaderReport skipped = train.loader().report();
  if (skipped.images_skipped > 0) spdlog::warn("training images skipped: {}", skipped.summary());
  if (result.interrupted) return 130;
  spdlog::info("done: best checkpoint {}, last {}", result.best_checkpoint, result.last_checkpoint);
  return 0;
}

const RegisterCommand kTrain{
    "train", "Train an age estimator from a configuration file (rerun to resume)",
    [](CLI::App& app) {
      auto args = std::make_shared<TrainArguments>();
      app.add_option("--config", args->config_path, "TOML configuration (see configs/)")
          ->check(CLI::ExistingFile);
      app.add_option("--set", args->overrides,
                     "Override a setting, e.g. --set train.epochs=10 (repeatable)");
      app.add_option("--output", args->output_dir, "Run folder (train.output_dir)");
      app.add_flag("--print-config", args->print_config,
                   "Print the resolved configuration as JSON and exit");
      return std::function<int()>([args] { return run_train(*args); });
    }};

}  // namespace
}  // namespace faceage::cli
