#pragma once
// From a run's configuration to the samples it trains and validates on. Each dataset
// (one, or each [[data.sets]] table) on its own: read it, drop duplicate images (before
// splitting, so no copy of a validation photo is trained on), clamp ages to the label
// range, take an optional seeded subset, split with its own seed. Copies of one photo in
// two different sets are not found: deduplication is within a set.
#include <memory>
#include <string>
#include <vector>

#include "faceage/data/loader.h"
#include "faceage/data/sample.h"
#include "faceage/learn/batch_source.h"
#include "faceage/learn/dataset_membership.h"
#include "faceage/learn/weighted_epochs.h"
#include "faceage/model/model_file.h"
#include "faceage/learn/train_config.h"

namespace faceage {

// What one dataset of the run gave.
struct PreparedSet {
  std::string name;
  double weight = 1.0;
  uint64_t seed = 0;
  size_t train = 0, validation = 0, test = 0;  // its rows in each part
};

struct TrainingData {
  // Each part holds every set's rows, set after set in configuration order: set i's
  // block is sets[i].train (validation, test) rows long.
  std::vector<Sample> train, validation, test;
  std::vector<PreparedSet> sets;
  std::vector<std::string> notes;  // what reading, deduplication and splitting did
};

TrainingData prepare_training_data(const TrainConfig& config);

// Which set each row of a part came from, e.g. membership(data, &PreparedSet::validation).
DatasetMembership membership(const TrainingData& data, size_t PreparedSet::*part);

// The sets' weights over data.train, seeded by train.seed.
WeightedEpochs weighted_epochs(const TrainingData& data, const TrainConfig& config);

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

// The training BatchSource of a run: data.train drawn by the sets' weights
// (weighted_epochs), shard `shard` of `shard_count` in a data-parallel run.
std::unique_ptr<LoaderBatchSource> training_source(const TrainingData& data,
                                                   const TrainConfig& config,
                                                   const Preprocessing& preprocessing,
                                                   size_t shard = 0, size_t shard_count = 1);

}  // namespace faceage
