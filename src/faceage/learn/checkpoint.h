#pragma once
// Training checkpoints: one safetensors file with the model and its training fingerprint
// (so it is also a model file that `faceage eval` and `faceage predict` accept), the optimiser state, the run's
// configuration and its progress. Written atomically: a crash mid-write leaves the
// previous checkpoint intact.
#include <string>

#include <torch/torch.h>

#include "faceage/model/model_file.h"
#include "faceage/learn/train_config.h"

namespace faceage {

struct TrainingProgress {
  int completed_epochs = 0;
  double best_score = 0;  // of train.best_metric; meaningful when best_epoch >= 0
  int best_epoch = -1;    // 0-based epoch of the best checkpoint; -1 = none yet
  // A checkpoint written inside epoch `completed_epochs` (train.checkpoint_minutes, or a
  // stop): how many of its batches were trained, and its running totals, so the resumed
  // epoch skips those batches and reports as if it had not been broken. 0 at epoch ends.
  int64_t batches_into_epoch = 0;
  double epoch_loss_sum = 0, epoch_loss_weight = 0, epoch_seconds = 0;
  int64_t epoch_images = 0;
};

void save_checkpoint(const std::string& path, AgeNet& network,
                     const torch::optim::Optimizer& optimizer, const ModelSpec& spec,
                     const TrainConfig& config, const TrainingProgress& progress);

struct CheckpointInfo {
  TrainConfig config;
  TrainingProgress progress;
};

// Loads weights and optimiser state into an already built network and optimiser.
// Throws faceage::Error naming the file when it was written for another architecture.
CheckpointInfo load_checkpoint(const std::string& path, AgeNet& network,
                               torch::optim::Optimizer& optimizer);

}  // namespace faceage
