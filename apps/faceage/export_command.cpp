// `faceage export --model CHECKPOINT --out MODEL`: a training checkpoint (or model) as a
// model file to ship: optionally averaged with other checkpoints, fp16 (half the size),
// with a model card merged in, and, for models trained on faces cropped elsewhere (UTKFace), the face frame measured on that
// data so prediction on photos cuts faces the way the training images were cut.
// `--onnx OUT.onnx` (with or instead of --out) writes the same model as an ONNX file
// (onnx/onnx_export.h) for other runtimes.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/core/error.h"
#include "faceage/face/framing.h"
#include "faceage/io/image.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/training_images_fingerprint.h"
#include "faceage/learn/weight_averaging.h"
#ifdef FACEAGE_WITH_ONNX
#include "faceage/onnx/onnx_export.h"
#endif

namespace faceage::cli {
namespace {

struct ExportSettings {
  std::vector<std::string> average_with;
  std::string fingerprint_config;             // --fingerprint-from: a training configuration
  std::vector<std::string> fingerprint_overrides;
  std::string model, out, card, frame_data, frame_format = "auto", detector_weights;
  size_t frame_samples = 400;
  bool half = false;
  std::optional<bool> flip_average;  // unset: keep the model's setting
  std::string onnx;                       // --onnx: also (or only) an ONNX file
  std::optional<bool> onnx_flip_average;  // unset: the (exported) model's setting
};

void write_onnx(const ExportSettings& s, const LoadedModel& model) {
#ifdef FACEAGE_WITH_ONNX
  onnx_export::export_onnx(model, s.model, s.onnx, {s.onnx_flip_average});
  spdlog::info("wrote {} (ONNX, flip averaging {})", s.onnx,
               s.onnx_flip_average.value_or(model.spec.flip_average) ? "in the graph" : "off");
#else
  (void)model;
  fail("{}: this faceage was built without ONNX export (libonnx-dev was missing when it was "
       "configured; scripts/install-deps.sh installs it)", s.onnx);
#endif
}

// The median frame over up to `count` images spread evenly through the dataset.
FaceFrame measure_frame(const ExportSettings& s, nlohmann::json& record) {
  std::vector<std::string> notes;
  const std::vector<Sample> samples = read_evaluation_samples(s.frame_data, s.frame_format, notes);
  if (samples.empty()) fail("{}: no images to measure the face frame on", s.frame_data);
  const FaceDetector detector(s.detector_weights);
  std::vector<FaceFrame> frames;
  const size_t step = std::max<size_t>(1, samples.size() / s.frame_samples);
  size_t tried = 0;
  for (size_t i = 0; i < samples.size() && tried < s.frame_samples; i += step, ++tried) {
    try {
      if (auto frame = frame_of_crop(detector, read_image(samples[i].image_path))) frames.push_back(*frame);
    } catch (const Error& e) {
      spdlog::warn("skipped: {}", e.what());
    }
  }
  const FaceFrame frame = median_frame(frames);
  record = {{"data", s.frame_data}, {"images", tried}, {"faces_found", frames.size()}};
  spdlog::info("face frame from {} of {} images: scale {:.3f} x {:.3f}, shift {:+.3f}, {:+.3f}",
               frames.size(), tried, frame.scale_x, frame.scale_y, frame.shift_x, frame.shift_y);
  return frame;
}

// An averaged model was trained on every image any of its parts saw: the union of their
// fingerprints. When a part has none, or one of another size, the union cannot be formed:
// the first model's fingerprint is kept and the gap said.
void union_training_fingerprints(LoadedModel& model, const std::vector<std::string>& others) {
  if (!model.spec.training_fingerprint) return;
  TrainingFingerprint& fingerprint = *model.spec.training_fingerprint;
  for (const std::string& other_path : others) {
    const ModelSpec other = read_model_spec(other_path);
    if (other.training_fingerprint && fingerprint.can_merge(*other.training_fingerprint)) {
      fingerprint.merge(*other.training_fingerprint);
    } else {
      spdlog::warn("{}: {}; the exported fingerprint lacks its training images", other_path,
                   other.training_fingerprint ? "its training fingerprint is of another size"
                                              : "records no training fingerprint");
    }
  }
}

// The train split of a training configuration, as `faceage train` computes it (read,
// deduplicate, subset, seeded split): for a model written before models recorded it.
TrainingFingerprint fingerprint_of_config(const std::string& config_path,
                                          const std::vector<std::string>& overrides) {
  const TrainConfig config = load_train_config(config_path, overrides);
  const TrainingData data = prepare_training_data(config);
  for (const std::string& note : data.notes) spdlog::info("{}", note);
  if (data.train.empty()) fail("{}: the configuration's train split is empty", config_path);
  std::vector<std::string> paths;
  for (const Sample& sample : data.train) paths.push_back(sample.image_path);
  TrainingFingerprint fingerprint = fingerprint_of_images(paths, std::max(1, config.loader_threads));
  spdlog::info("training fingerprint of {}: {} train images ({:.1f} KB)", config_path,
               fingerprint.images(), fingerprint.bits() / 8192.0);
  return fingerprint;
}

int run_export(const ExportSettings& s) {
  LoadedModel model = load_model(s.model);
  if (!s.average_with.empty()) {
    average_weights(model, s.average_with);
    union_training_fingerprints(model, s.average_with);
    model.spec.card["weights_averaged_over"] = 1 + s.average_with.size();
    spdlog::info("weights averaged over {} models", 1 + s.average_with.size());
  }
  if (!s.card.empty()) {
    std::ifstream in(s.card);
    if (!in) fail("{}: cannot open the model card", s.card);
    try {
      model.spec.card.update(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
      fail("{}: the model card is not valid JSON ({})", s.card, e.what());
    }
  }
  if (s.flip_average) model.spec.flip_average = *s.flip_average;
  if (!s.fingerprint_config.empty())
    model.spec.training_fingerprint = fingerprint_of_config(s.fingerprint_config, s.fingerprint_overrides);
  if (!s.frame_data.empty()) {
    if (model.spec.preprocessing.align)
      fail("{}: --frame-from is for models trained on crops used whole (data.align = false); "
           "this model was trained on aligned crops and cuts its own box and margin",
           s.model);
    nlohmann::json record;
    model.spec.preprocessing.frame = measure_frame(s, record);
    model.spec.card["face_frame_measured_on"] = record;
  }
  if (!s.out.empty()) {
    save_model(s.out, *model.network, model.spec, s.half);
    spdlog::info("wrote {}{}", s.out, s.half ? " (fp16)" : "");
  }
  if (!s.onnx.empty()) write_onnx(s, model);
  return 0;
}

const RegisterCommand kExport{
    "export", "Write a checkpoint as a model file to ship (fp16, card, face frame) and/or as ONNX",
    [](CLI::App& app) {
      auto s = std::make_shared<ExportSettings>();
      app.add_option("--model", s->model, "Checkpoint or model (.safetensors)")
          ->required()->check(CLI::ExistingFile);
      app.add_option("--out,-o,--output", s->out, "Model file to write (.safetensors)");
      CLI::Option* onnx = app.add_option(
          "--onnx", s->onnx, "Also (or only) write the model as ONNX (opset 17; docs/deploy.md)");
      app.add_option("--onnx-flip-average", s->onnx_flip_average,
                     "The ONNX graph averages each face with its mirror image (true/false; "
                     "default: the model's setting)")
          ->needs(onnx);
      app.callback([s] {
        if (s->out.empty() && s->onnx.empty())
          throw CLI::RequiredError("--out or --onnx (or both)");
      });
      app.add_option("--average-with", s->average_with,
                     "Checkpoints of the same network whose weights are averaged in")
          ->check(CLI::ExistingFile);
      app.add_flag("--half", s->half, "Store the weights as fp16 (--out only; ONNX is float32)");
      app.add_option("--flip-average", s->flip_average,
                     "Predict each face as the mean over it and its mirror (true/false)");
      app.add_option("--card", s->card, "JSON object merged into the model card")
          ->check(CLI::ExistingFile);
      app.add_option("--frame-from", s->frame_data,
                     "Measure the face frame on this dataset of face crops (UTKFace)")
          ->check(CLI::ExistingPath);
      app.add_option("--frame-format", s->frame_format, "Its format: auto, csv, utkface, ...");
      app.add_option("--frame-samples", s->frame_samples, "Images to measure it on")
          ->check(CLI::Range(1, 1000000));
      app.add_option("--detector-weights", s->detector_weights, "MTCNN weights (.safetensors)");
      app.add_option("--fingerprint-from", s->fingerprint_config,
                     "Record the train split of this training configuration as the model's "
                     "training fingerprint (replaces any it has)")
          ->check(CLI::ExistingFile);
      app.add_option("--fingerprint-set", s->fingerprint_overrides,
                     "With --fingerprint-from: override a setting, e.g. data.path=... (repeatable)");
      return std::function<int()>([s] { return run_export(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
