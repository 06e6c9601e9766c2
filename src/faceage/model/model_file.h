#pragma once
// A trained age model as one safetensors file: the weights, plus metadata saying how it
// was built and how faces must be prepared for it. Loading rebuilds the network from that
// metadata, so a model can only ever run with the pipeline it was trained with.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "faceage/model/preprocessing.h"
#include "faceage/io/safetensors.h"
#include "faceage/model/formulation.h"
#include "faceage/nn/age_net.h"

namespace faceage {

struct ModelSpec {
  AgeNetOptions network;
  Formulation formulation = Formulation::kLdl;
  Preprocessing preprocessing;
  // Inference averages each face with its mirror image (nn/flip_average.h). Part of the
  // model because its reported accuracy was measured that way.
  bool flip_average = false;
  nlohmann::json card = nlohmann::json::object();  // free-form: data, split, metrics, licence
};

struct LoadedModel {
  std::shared_ptr<AgeNet> network;  // in eval mode, on CPU
  ModelSpec spec;
};

nlohmann::json to_json(const ModelSpec& spec);
ModelSpec model_spec_from_json(const nlohmann::json& json, const std::string& source);

// The metadata key that holds to_json(spec) in the safetensors header.
inline constexpr const char* kModelSpecKey = "faceage.model";

// half = store float weights as fp16 (half the size; loaded back as fp32).
void save_model(const std::string& path, AgeNet& network, const ModelSpec& spec,
                bool half = false);
LoadedModel load_model(const std::string& path);

// Reads the spec only (e.g. to print a model card) without building the network.
ModelSpec read_model_spec(const std::string& path);

}  // namespace faceage
