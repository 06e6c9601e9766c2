#include "faceage/model/model_file.h"

#include "faceage/core/error.h"
#include "faceage/nn/weights.h"

namespace faceage {

using json = nlohmann::json;

json to_json(const ModelSpec& spec) {
  json out = {{"architecture", spec.network.architecture},
          {"num_ages", spec.network.num_ages},
          {"multitask", spec.network.multitask},
          {"num_genders", spec.network.num_genders},
          {"num_ethnicities", spec.network.num_ethnicities},
          {"formulation", formulation_name(spec.formulation)},
          {"preprocessing", to_json(spec.preprocessing)},
          {"flip_average", spec.flip_average},
          {"card", spec.card}};
  if (!spec.precisions.validated.empty() || !spec.precisions.int8_ranges.empty())
    out["precisions"] = {{"validated", spec.precisions.validated},
                         {"int8_activation_ranges", spec.precisions.int8_ranges},
                         {"check", spec.precision_check}};
  return out;
}

ModelSpec model_spec_from_json(const json& in, const std::string& source) {
  ModelSpec spec;
  try {
    spec.network.architecture = in.at("architecture").get<std::string>();
    spec.network.num_ages = in.at("num_ages").get<int64_t>();
    spec.network.multitask = in.at("multitask").get<bool>();
    spec.network.num_genders = in.value("num_genders", int64_t{2});
    spec.network.num_ethnicities = in.value("num_ethnicities", int64_t{5});
    spec.formulation = parse_formulation(in.at("formulation").get<std::string>());
    spec.preprocessing = preprocessing_from_json(in.at("preprocessing"));
    spec.flip_average = in.value("flip_average", false);
    spec.card = in.value("card", json::object());
    if (in.contains("precisions")) {
      const json& precisions = in.at("precisions");
      spec.precisions.validated = precisions.at("validated").get<std::vector<std::string>>();
      spec.precisions.int8_ranges =
          precisions.at("int8_activation_ranges").get<std::vector<float>>();
      spec.precision_check = precisions.value("check", json::object());
      for (const std::string& name : spec.precisions.validated)
        if (name != "bfloat16" && name != "int8")
          fail("precisions.validated names '{}' (known: bfloat16, int8)", name);
      if (spec.precisions.validates("int8") && spec.precisions.int8_ranges.empty())
        fail("precisions.validated names int8 but the model has no int8 activation ranges");
    }
  } catch (const json::exception& e) {
    fail("{}: model metadata is incomplete or malformed ({})", source, e.what());
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  }
  return spec;
}

Metadata model_metadata(const ModelSpec& spec) {
  Metadata metadata{{kModelSpecKey, to_json(spec).dump()}};
  if (spec.training_fingerprint)
    metadata[kTrainingFingerprintKey] = spec.training_fingerprint->to_text();
  return metadata;
}

void save_model(const std::string& path, AgeNet& network, const ModelSpec& spec, bool half) {
  TensorMap tensors;
  for (const auto& [name, tensor] : nn::state_dict(network))
    tensors[name] = half && tensor.is_floating_point() ? tensor.to(torch::kFloat16) : tensor;
  Metadata metadata = model_metadata(spec);
  metadata["format"] = "pt";
  write_safetensors(path, tensors, metadata);
}

namespace {

ModelSpec spec_from_metadata(const Metadata& metadata, const std::string& path) {
  const auto found = metadata.find(kModelSpecKey);
  if (found == metadata.end())
    fail("{}: not a faceage model (no '{}' metadata; plain weights load with --pretrained)",
         path, kModelSpecKey);
  json parsed;
  try {
    parsed = json::parse(found->second);
  } catch (const json::exception& e) {
    fail("{}: model metadata is not valid JSON ({})", path, e.what());
  }
  ModelSpec spec = model_spec_from_json(parsed, path);
  if (const auto fingerprint = metadata.find(kTrainingFingerprintKey); fingerprint != metadata.end())
    spec.training_fingerprint = TrainingFingerprint::from_text(fingerprint->second, path);
  return spec;
}

}  // namespace

InferencePlan inference_plan_for(const ModelSpec& spec, const std::string& path,
                                 const std::string& layout, const std::string& precision,
                                 const torch::Device& device, int64_t batch) {
  try {
    return inference_plan_from_names(layout, precision, spec.network.architecture, device, batch,
                                     spec.precisions);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());
  }
}

ModelSpec read_model_spec(const std::string& path) {
  return spec_from_metadata(read_safetensors(path).metadata, path);
}

LoadedModel load_model(const std::string& path) {
  SafetensorsContent content = read_safetensors(path);
  LoadedModel model;
  model.spec = spec_from_metadata(content.metadata, path);
  try {
    model.network = make_age_net(model.spec.network);
  } catch (const Error& e) {
    fail("{}: {}", path, e.what());  // an architecture this build does not know
  }
  TensorMap weights;
  for (auto& [name, tensor] : content.tensors)
    if (name.rfind("optimizer.", 0) != 0) weights[name] = tensor;  // checkpoints hold both
  nn::load_state_dict(*model.network, weights, /*allow_partial=*/false, path);
  model.network->eval();
  return model;
}

}  // namespace faceage
