// `faceage calibrate`: int8 calibration on a model's training faces and a check of each
// reduced precision against float32 on its validation part; writes a copy of the model
// that says which precisions held (learn/precision_check.h).
#include <iostream>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/learn/precision_check.h"

namespace faceage::cli {
namespace {

const RegisterCommand kCalibrate{
    "calibrate",
    "Calibrate int8 on a model's training faces and validate reduced precisions against float32",
    [](CLI::App& app) {
      auto request = std::make_shared<PrecisionCheckRequest>();
      app.add_option("--model", request->model_path, "Model (.safetensors)")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--config", request->config_path,
                     "The training configuration the model was trained with: calibration "
                     "faces from its train part, the check on its validation part")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--set", request->overrides, "Override a configuration setting (repeatable)");
      app.add_option("--out,-o,--output", request->output_path,
                     "The calibrated model (may be --model itself)")
          ->required();
      app.add_option("--images", request->calibration_images,
                     "Training faces to calibrate on, spread over the train part")
          ->check(CLI::Range(1, 1000000))
          ->capture_default_str();
      app.add_option("--tolerance", request->mae_tolerance,
                     "Largest validation MAE change from float32 (years) a precision may make")
          ->check(CLI::Range(0.0, 100.0))
          ->capture_default_str();
      app.add_option("--batch-size", request->batch_size, "Images per forward pass")
          ->check(CLI::Range(1, 4096));
      app.add_option("--threads", request->loader_threads, "Loader threads")
          ->check(CLI::Range(0, 64));
      return std::function<int()>([request] {
        use_compute_threads(0);
        const nlohmann::json check = check_reduced_precision(*request);
        std::cout << check.dump() << "\n";
        return 0;
      });
    }};

}  // namespace
}  // namespace faceage::cli
