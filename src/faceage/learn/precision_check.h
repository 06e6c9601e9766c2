#pragma once
// `faceage calibrate`: makes a model's reduced-precision inference safe to use. It records
// int8's activation ranges on the model's own training faces (prepared as inference
// prepares them, with their mirror images when the model averages over flips), then
// evaluates the validation part in float32, int8 and bfloat16 and writes a copy of the
// model whose metadata lists the precisions that held float32's accuracy (MAE within
// `mae_tolerance` years, issue 20's bound) with the measurements. Predictions then use
// the fastest validated precision by default (nn/inference_plan.h).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faceage {

struct PrecisionCheckRequest {
  std::string model_path, output_path;
  // The training configuration the model was trained with: calibration images come from
  // its train part, the check from its validation part, split as training splits them.
  std::string config_path;
  std::vector<std::string> overrides;  // the configuration's, "section.key=value"
  int calibration_images = 512;        // spread evenly over the train part
  double mae_tolerance = 0.05;         // years
  int batch_size = 32;
  int loader_threads = 2;
};

// What was measured: {"calibration_images", "part", "images", "tolerance_years",
// "mae": {precision: years}, "seconds": {precision: s}, "validated": [...]}; the same
// object is stored in the model file as precisions.check.
nlohmann::json check_reduced_precision(const PrecisionCheckRequest& request);

}  // namespace faceage
