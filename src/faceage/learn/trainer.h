#pragma once
// The training loop of paper §4: epochs of optimisation, then validation (MAE, CA(3/5/7));
// the best checkpoint (by MAE, or CA(3) for MegaAge-style sets) and the last one are
// kept in the output folder, with metrics as JSON lines. Rerunning the same command
// resumes from the last checkpoint, which is also written inside long epochs
// (train.checkpoint_minutes) and at Ctrl-C / SIGTERM: a resumed run ends with the weights
// an unbroken one would have had.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/parallel/communicator.h"
#include "faceage/learn/batch_source.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/learn/dataset_membership.h"
#include "faceage/learn/metrics.h"
#include "faceage/model/model_file.h"
#include "faceage/learn/train_config.h"

namespace faceage {

struct EpochRecord {
  int epoch = 0;  // 0-based
  double learning_rate = 0;
  double train_loss = 0;
  double validation_loss = 0;
  AgeMetrics validation;                  // all validation faces pooled
  std::vector<SetMetrics> validation_sets;  // each dataset's, when the run has several
  double train_images_per_second = 0;
  double seconds = 0;
  bool best = false;
};
nlohmann::json to_json(const EpochRecord& record);

struct TrainingResult {
  std::vector<EpochRecord> history;  // the epochs this call trained
  bool interrupted = false;          // stopped by Ctrl-C / SIGTERM after a checkpoint
  std::string best_checkpoint, last_checkpoint;
};

class DataParallel;

// What one epoch of optimisation gave.
struct EpochTraining {
  double loss = 0;
  double images_per_second = 0;
  bool stopped = false;  // Ctrl-C / SIGTERM (in any process of a data-parallel run)
  double seconds_before = 0;  // spent on this epoch before a mid-epoch checkpoint's resume
};

class Trainer {
 public:
  // `spec` describes the model to build (architecture, formulation, preprocessing).
  // With a communicator, this is one process of a data-parallel run: `train` is its
  // shard; rank 0 alone validates, writes checkpoints and logs.
  Trainer(TrainConfig config, ModelSpec spec, BatchSource& train, BatchSource& validation,
          Communicator* communicator = nullptr);

  // Trains the epochs not yet in output_dir/last.safetensors.
  TrainingResult run();

  // Called after each epoch (e.g. by tests); return false to stop early.
  std::function<bool(const EpochRecord&)> on_epoch_end;

  // Which dataset each validation row came from (membership(data, &PreparedSet::validation)):
  // with two or more names every epoch also reports each set's metrics. The best model
  // is still chosen by the pooled figure.
  DatasetMembership validation_sets;

 private:
  // Trains epoch `epoch`, from batch progress.batches_into_epoch on when a mid-epoch
  // checkpoint left it there; `save_mid_epoch` writes last.safetensors with `progress`
  // (train.checkpoint_minutes, or a stop), which it updates first.
  EpochTraining train_one_epoch(int epoch, AgeNet& network, torch::optim::Optimizer& optimizer,
                                DataParallel* parallel, TrainingProgress& progress,
                                const std::function<void()>& save_mid_epoch);
  bool improves(const AgeMetrics& metrics, const TrainingProgress& progress) const;
  // model.recalibrate_batch_norm: batch norms measured on the first training batches.
  void recalibrate_on_training_images(AgeNet& network);

  TrainConfig config_;
  ModelSpec spec_;
  BatchSource& train_;
  BatchSource& validation_;
  Communicator* communicator_;
  torch::Device device_;
  bool channels_last_;  // train.memory_format resolved for device_
};

// Folder layout of a run.
std::string last_checkpoint_path(const std::string& output_dir);
std::string best_checkpoint_path(const std::string& output_dir);
std::string metrics_path(const std::string& output_dir);

}  // namespace faceage
