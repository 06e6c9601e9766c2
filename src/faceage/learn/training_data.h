#pragma once
// From a run's configuration to the samples it trains and validates on: read the
// dataset, drop duplicate images (before splitting, so no copy of a validation photo is
// trained on), clamp ages to the label range, take an optional seeded subset, split.
#include <string>
#include <vector>

#include "faceage/data/loader.h"
#include "faceage/data/sample.h"
#include "faceage/learn/batch_source.h"
#include "faceage/model/model_file.h"
#include "faceage/learn/train_config.h"

namespace faceage {

struct TrainingData {
  std::vector<Sample> train, validation, test;
  std::vector<std::string> notes;  // what reading, deduplication and splitting did
};

TrainingData prepare_training_data(const TrainConfig& config);

// Samples of any supported dataset for evaluation (no split), deduplicated, ages clamped.
std::vector<Sample> read_evaluation_samples(const std::string& path, const std::string& format,
                                            std::vector<std::string>& notes);

// The model a configuration trains: network, formulation and preprocessing.
ModelSpec model_spec_for(const TrainConfig& config);

// The DataLoader as the trainer's BatchSource.
class LoaderBatchSource : public BatchSource {
 public:
  LoaderBatchSource(std::vector<Sample> samples, LoaderOptions options);
  void start_epoch(int epoch) override { loader_.start_epoch(static_cast<uint64_t>(epoch)); }
  std::optional<Batch> next() override { return loader_.next(); }
  size_t batches_per_epoch() const override { return loader_.batches_per_epoch(); }
  size_t samples() const override { return loader_.samples().size(); }
  const DataLoader& loader() const { return loader_; }

 private:
  DataLoader loader_;
};

// Loader options for training (shuffled, augmented) or validation (in order, plain).
LoaderOptions loader_options_for(const TrainConfig& config, const Preprocessing& preprocessing,
                                 bool training);

}  // namespace faceage
