#pragma once
// One training run from a resolved configuration, as `faceage train` runs it and as the
// Python module's faceage.train runs it: read and split the datasets, write the split as
// CSV beside the checkpoints, record the train split's fingerprint in the model files,
// train (resuming from output_dir/last.safetensors when it is there).
#include "faceage/learn/trainer.h"
#include "faceage/parallel/communicator.h"
#include "faceage/parallel/launch_environment.h"

namespace faceage {

// With a communicator this is one process of a data-parallel run (`environment` says
// which): it trains its shard, and rank 0 alone writes the split, validates and saves.
TrainingResult run_training(const TrainConfig& config, const LaunchEnvironment& environment = {},
                            Communicator* communicator = nullptr);

}  // namespace faceage
