// `faceage train`: one training run from a configuration file; rerun to resume.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/device.h"
#include "faceage/core/error.h"
#include "faceage/parallel/communicator.h"
#include "faceage/parallel/local_launcher.h"
#include "faceage/learn/train_config.h"
#include "faceage/learn/training_run.h"

namespace faceage::cli {
namespace {

struct TrainArguments {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string output_dir;
  bool print_config = false;
  int processes = 1;
};

// The same command for each of the --nproc processes (without --nproc).
std::vector<std::string> process_command(const TrainArguments& args) {
  std::vector<std::string> argv = {"/proc/self/exe", "train"};
  if (!args.config_path.empty()) argv.insert(argv.end(), {"--config", args.config_path});
  for (const std::string& setting : args.overrides) argv.insert(argv.end(), {"--set", setting});
  if (!args.output_dir.empty()) argv.insert(argv.end(), {"--out", args.output_dir});
  return argv;
}

// Processes on one machine share its cores unless train.torch_threads says otherwise.
TrainConfig for_this_process(TrainConfig config, const LaunchEnvironment& environment) {
  if (config.torch_threads <= 0 && environment.local_world_size > 1)
    config.torch_threads = std::max<int>(
        1, usable_cpus() / environment.local_world_size);
  if (environment.distributed() && config.device != "cpu" && choose_device(config.device).is_cuda())
    config.device = "cuda:" + std::to_string(environment.local_rank);
  return config;
}

int run_train(const TrainArguments& args) {
  std::vector<std::string> overrides = args.overrides;
  if (!args.output_dir.empty()) overrides.push_back("train.output_dir=" + args.output_dir);
  const LaunchEnvironment environment = launch_environment_from_env();
  const TrainConfig config =
      for_this_process(load_train_config(args.config_path, overrides), environment);
  if (args.print_config) {
    std::cout << to_json(config).dump(2) << "\n";
    return 0;
  }
  if (args.processes > 1) {
    if (environment.distributed())
      fail("train --nproc {}: already one of {} processes (WORLD_SIZE is set)", args.processes,
           environment.world_size);
    if (!process_groups_available())
      fail("train --nproc {}: this faceage was built without LibTorch's c10d", args.processes);
    return run_local_processes(process_command(args), args.processes);
  }
  std::unique_ptr<Communicator> communicator;
  if (environment.distributed()) {
    // Rank 0's log speaks for the run; the others report only problems.
    if (!environment.primary()) spdlog::set_level(spdlog::level::warn);
    communicator = join_process_group(environment, choose_device(config.device),
                                      std::chrono::minutes(30));
    spdlog::info("process {} of {} joined {}:{}", environment.rank, environment.world_size,
                 environment.master_addr, environment.master_port);
  }

  const TrainingResult result = run_training(config, environment, communicator.get());
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
      app.add_option("--out,-o,--output", args->output_dir, "Run folder (train.output_dir)");
      app.add_flag("--print-config", args->print_config,
                   "Print the resolved configuration as JSON and exit");
      app.add_option("--nproc", args->processes,
                     "Data-parallel training in N local processes (as torchrun --nproc-per-node N; "
                     "a run started by torchrun needs no flag)")
          ->check(CLI::Range(1, 256));
      return std::function<int()>([args] { return run_train(*args); });
    }};

}  // namespace
}  // namespace faceage::cli
