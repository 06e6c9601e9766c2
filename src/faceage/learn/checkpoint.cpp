#include "faceage/learn/checkpoint.h"

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/checkpoint_pause.h"
#include "faceage/learn/optimization.h"
#include "faceage/nn/weights.h"

namespace faceage {

using json = nlohmann::json;

namespace {
constexpr const char* kConfigKey = "faceage.config";
constexpr const char* kProgressKey = "faceage.progress";
}  // namespace

void save_checkpoint(const std::string& path, AgeNet& network,
                     const torch::optim::Optimizer& optimizer, const ModelSpec& spec,
                     const TrainConfig& config, const TrainingProgress& progress) {
  TensorMap tensors = nn::state_dict(network);
  for (auto& [name, tensor] : optimizer_state(optimizer, network)) tensors[name] = tensor;
  const json progress_json = {{"completed_epochs", progress.completed_epochs},
                              {"best_score", progress.best_score},
                              {"best_epoch", progress.best_epoch},
                              {"batches_into_epoch", progress.batches_into_epoch},
                              {"epoch_loss_sum", progress.epoch_loss_sum},
                              {"epoch_loss_weight", progress.epoch_loss_weight},
                              {"epoch_seconds", progress.epoch_seconds},
                              {"epoch_images", progress.epoch_images}};
  Metadata metadata = model_metadata(spec);  // the spec and the training fingerprint
  metadata[kConfigKey] = to_json(config).dump();
  metadata[kProgressKey] = progress_json.dump();
  metadata["format"] = "pt";
  const std::string bytes = serialize_safetensors(tensors, metadata);
  // Atomic (temporary file, fsync, rename): a kill mid-write keeps the previous file.
  write_file_atomically(path, [&](std::ostream& out) {
    const size_t half = bytes.size() / 2;
    out.write(bytes.data(), static_cast<std::streamsize>(half));
    pause_in_checkpoint_write_if_asked(out, progress.completed_epochs);
    out.write(bytes.data() + half, static_cast<std::streamsize>(bytes.size() - half));
  });
}

CheckpointInfo load_checkpoint(const std::string& path, AgeNet& network,
                               torch::optim::Optimizer& optimizer) {
  const SafetensorsContent content = read_safetensors(path);
  for (const char* key : {kModelSpecKey, kConfigKey, kProgressKey})
    if (!content.metadata.count(key)) fail("{}: not a faceage checkpoint (no '{}')", path, key);

  ModelSpec spec;
  try {
    spec = model_spec_from_json(json::parse(content.metadata.at(kModelSpecKey)), path);
  } catch (const json::exception& e) {
    fail("{}: checkpoint metadata is malformed ({})", path, e.what());
  }
  if (spec.network.architecture != network.options().architecture ||
      spec.network.multitask != network.options().multitask)
    fail("{}: checkpoint is for {}{}, but this run builds {}{}", path,
         spec.network.architecture, spec.network.multitask ? " (multi-task)" : "",
         network.options().architecture, network.options().multitask ? " (multi-task)" : "");

  TensorMap weights;
  for (const auto& [name, tensor] : content.tensors)
    if (name.rfind("optimizer.", 0) != 0) weights[name] = tensor;
  nn::load_state_dict(network, weights, /*allow_partial=*/false, path);
  load_optimizer_state(optimizer, network, content.tensors, path);

  CheckpointInfo info;
  try {
    info.config = config_from_json(json::parse(content.metadata.at(kConfigKey)), path);
    const json progress = json::parse(content.metadata.at(kProgressKey));
    info.progress.completed_epochs = progress.at("completed_epochs").get<int>();
    info.progress.best_score = progress.at("best_score").get<double>();
    info.progress.best_epoch = progress.at("best_epoch").get<int>();
    // Absent in checkpoints written before mid-epoch checkpoints: an epoch's end.
    info.progress.batches_into_epoch = progress.value("batches_into_epoch", int64_t{0});
    info.progress.epoch_loss_sum = progress.value("epoch_loss_sum", 0.0);
    info.progress.epoch_loss_weight = progress.value("epoch_loss_weight", 0.0);
    info.progress.epoch_seconds = progress.value("epoch_seconds", 0.0);
    info.progress.epoch_images = progress.value("epoch_images", int64_t{0});
  } catch (const json::exception& e) {
    fail("{}: checkpoint metadata is malformed ({})", path, e.what());
  }
  return info;
}

}  // namespace faceage
