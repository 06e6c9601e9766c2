#pragma once
// A trained age model as one safetensors file: the weights, plus metadata saying how it
// was built and how faces must be prepared for it. Loading rebuilds the network from that
// metadata, so a model can only ever run with the pipeline it was trained with.
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "faceage/model/preprocessing.h"
#include "faceage/io/safetensors.h"
#include "faceage/model/formulation.h"
#include "faceage/model/training_fingerprint.h"
#include "faceage/nn/age_net.h"
#include "faceage/nn/inference_plan.h"

namespace faceage {

struct ModelSpec {
  AgeNetOptions network;
  Formulation formulation = Formulation::kLdl;
  Preprocessing preprocessing;
  // Inference averages each face with its mirror image (nn/flip_average.h). Part of the
  // model because its reported accuracy was measured that way.
  bool flip_average = false;
  nlohmann::json card = nlohmann::json::object();  // free-form: data, split, metrics, licence
  // Reduced precision (learn/precision_check.h): the precisions validated against float32,
  // int8's activation ranges, and the measurements behind them (`check`).
  PrecisionCalibration precisions;
  nlohmann::json precision_check = nlohmann::json::object();
  // The train split's images (model/training_fingerprint.h); absent in models written
  // before faceage recorded it. Stored under its own metadata key, not in to_json(spec).
  std::optional<TrainingFingerprint> training_fingerprint;
};

struct LoadedModel {
  std::shared_ptr<AgeNet> network;  // in eval mode, on CPU
  ModelSpec spec;
};

nlohmann::json to_json(const ModelSpec& spec);
ModelSpec model_spec_from_json(const nlohmann::json& json, const std::string& source);

// The metadata key that holds to_json(spec) in the safetensors header.
inline constexpr const char* kModelSpecKey = "faceage.model";
// The metadata key that holds the training fingerprint's text, when the model has one.
inline constexpr const char* kTrainingFingerprintKey = "faceage.training_fingerprint";

// The model's metadata entries: kModelSpecKey and, when present, kTrainingFingerprintKey
// (checkpoints add their own keys to these).
Metadata model_metadata(const ModelSpec& spec);

// half = store float weights as fp16 (half the size; loaded back as fp32).
void save_model(const std::string& path, AgeNet& network, const ModelSpec& spec,
                bool half = false);
LoadedModel load_model(const std::string& path);

// The inference plan `layout` and `precision` name (nn/inference_plan.h) for this model:
// its architecture and the precisions its file validated. Errors name the model file.
InferencePlan inference_plan_for(const ModelSpec& spec, const std::string& path,
                                 const std::string& layout, const std::string& precision,
                                 const torch::Device& device, int64_t batch);

// Reads the spec only (e.g. to print a model card) without building the network.
ModelSpec read_model_spec(const std::string& path);

}  // namespace faceage
