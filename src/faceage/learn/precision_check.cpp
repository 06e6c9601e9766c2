#include "faceage/learn/precision_check.h"

#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "faceage/learn/model_evaluation.h"
#include "faceage/learn/train_config.h"
#include "faceage/learn/training_data.h"
#include "faceage/model/model_file.h"
#include "faceage/nn/inference_optimization.h"

namespace faceage {
namespace {

using json = nlohmann::json;

// `count` rows spread evenly over the train part (all of it when it is smaller).
std::vector<Sample> spread_rows(const std::vector<Sample>& rows, size_t count) {
  if (rows.size() <= count) return rows;
  std::vector<Sample> chosen;
  for (size_t i = 0; i < count; ++i) chosen.push_back(rows[i * rows.size() / count]);
  return chosen;
}

nn::ActivationRanges calibrate(const LoadedModel& model, const TrainConfig& config,
                               std::vector<Sample> rows) {
  TrainConfig loading = config;
  loading.batch_size = 32;
  LoaderBatchSource source(std::move(rows),
                           loader_options_for(loading, model.spec.preprocessing, false));
  Int8Calibrator calibrator(*model.network);
  source.start_epoch(0);
  while (std::optional<Batch> batch = source.next()) {
    // Flip-averaging models see every face mirrored too.
    calibrator.observe(model.spec.flip_average
                           ? torch::cat({batch->images, batch->images.flip({3})}, 0)
                           : batch->images);
  }
  return calibrator.ranges();
}

// The input file's tensors under `spec`'s metadata, written to `path`.
void write_with_spec(const std::string& input, const std::string& path, const ModelSpec& spec) {
  SafetensorsContent content = read_safetensors(input);
  for (const auto& [key, value] : model_metadata(spec)) content.metadata[key] = value;
  write_safetensors(path, content.tensors, content.metadata);
}

}  // namespace

json check_reduced_precision(const PrecisionCheckRequest& request) {
  if (request.output_path.empty()) fail("calibrate: no output model path");
  if (request.calibration_images < 1)
    fail("calibrate: {} calibration images: give at least 1", request.calibration_images);
  const LoadedModel model = load_model(request.model_path);
  const std::string& architecture = model.spec.network.architecture;
  if (!nn::OneDnnTrunk::available() ||
      inference_plan_from_names("auto", "float32", architecture, torch::kCPU, 1).layout !=
          TensorLayout::kOneDnn)
    fail("{}: reduced precision runs on the oneDNN chain, which covers the ResNet family and "
         "face_resnet29 in builds with libdnnl-dev, not {}", request.model_path, architecture);

  const TrainConfig config = load_train_config(request.config_path, request.overrides);
  const TrainingData data = prepare_training_data(config);
  const std::vector<Sample> rows =
      spread_rows(data.train, static_cast<size_t>(request.calibration_images));
  if (rows.empty()) fail("{}: the sets have no train part to calibrate on", request.config_path);
  spdlog::info("calibrate: int8 activation ranges over {} training faces{}", rows.size(),
               model.spec.flip_average ? " and their mirror images" : "");
  ModelSpec spec = model.spec;
  spec.precisions = {{}, calibrate(model, config, rows)};
  spec.precision_check = json::object();
  write_with_spec(request.model_path, request.output_path, spec);

  json check = {{"calibration_images", rows.size()},
                {"part", "validation"},
                {"tolerance_years", request.mae_tolerance},
                {"mae", json::object()},
                {"seconds", json::object()},
                {"validated", json::array()}};
  // The same images in every precision; the calibrated copy carries int8's ranges.
  for (const std::string precision : {"float32", "int8", "bfloat16"}) {
    EvaluationRequest evaluation;
    evaluation.model_path = request.output_path;
    evaluation.config_path = request.config_path;
    evaluation.overrides = request.overrides;
    evaluation.prepared = &data;
    evaluation.batch_size = request.batch_size;
    evaluation.loader_threads = request.loader_threads;
    evaluation.precision = precision;
    const auto start = std::chrono::steady_clock::now();
    const ModelEvaluation result = evaluate_model(evaluation);
    check["seconds"][precision] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    check["mae"][precision] = result.report.at("mae").get<double>();
    check["images"] = result.report.at("count");
    spdlog::info("calibrate: validation MAE in {}: {:.4f} years", precision,
                 check["mae"][precision].get<double>());
  }
  const double reference = check["mae"]["float32"].get<double>();
  for (const std::string precision : {"int8", "bfloat16"})
    if (std::abs(check["mae"][precision].get<double>() - reference) <= request.mae_tolerance) {
      spec.precisions.validated.push_back(precision);
      check["validated"].push_back(precision);
    }
  spec.precision_check = check;
  write_with_spec(request.model_path, request.output_path, spec);
  return check;
}

}  // namespace faceage
