#include "faceage/learn/training_data.h"

#include <algorithm>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/data/dataset.h"
#include "faceage/data/deduplicate.h"
#include "faceage/data/split.h"

namespace faceage {
namespace {

ReadResult read_all(const std::string& path, const std::string& format, const std::string& split,
                    const std::string& image_root, bool skip_malformed,
                    std::vector<std::string>& notes) {
  DatasetSource source{path, dataset_format_from_name(format), split};
  ReadOptions options;
  options.on_malformed = skip_malformed ? MalformedPolicy::skip : MalformedPolicy::fail;
  options.image_root = image_root;
  ReadResult result = read_dataset(source, options);
  notes.push_back(result.report.summary());
  return result;
}

// Ages above the last label class (UTKFace has a few past 100) become that class.
void clamp_ages(std::vector<Sample>& samples, std::vector<std::string>& notes) {
  size_t clamped = 0;
  for (Sample& s : samples)
    if (s.age > kNumAges - 1) s.age = kNumAges - 1, ++clamped;
  if (clamped > 0) notes.push_back(fmt::format("{} ages above {} clamped to {}", clamped,
                                               kNumAges - 1, kNumAges - 1));
}

std::vector<Sample> deduplicated(std::vector<Sample> samples, int threads,
                                 std::vector<std::string>& notes) {
  DeduplicationResult result =
      deduplicate_by_content(samples, LabelConflictPolicy::drop_all, std::max(1, threads));
  notes.push_back(result.report.summary());
  return std::move(result.samples);
}

// One dataset read, deduplicated, subset and split with its own seed.
DatasetSplit prepare_set(const DatasetConfig& set, const TrainConfig& config,
                         std::vector<std::string>& notes) {
  const bool given = set.split == "given";
  std::vector<Sample> samples = deduplicated(
      read_all(set.path, set.format, "train", set.image_root, config.skip_malformed, notes)
          .samples,
      config.loader_threads, notes);
  clamp_ages(samples, notes);

  if (set.max_samples > 0 && static_cast<size_t>(set.max_samples) < samples.size()) {
    // The loader's seeded order: the same subset on every machine and standard library.
    const std::vector<size_t> order = epoch_order(samples.size(), set.seed, 0, true);
    std::vector<Sample> subset;
    for (size_t i = 0; i < static_cast<size_t>(set.max_samples); ++i)
      subset.push_back(samples[order[i]]);
    samples = std::move(subset);
    notes.push_back(fmt::format("seeded subset of {} samples", samples.size()));
  }

  DatasetSplit split;
  if (!set.validation_path.empty() || given) {
    // A given split: the dataset's own test list (MegaAge) or a separate file.
    const std::string path = set.validation_path.empty() ? set.path : set.validation_path;
    const std::string format = set.validation_path.empty() ? set.format : "auto";
    split.train = std::move(samples);
    split.validation = deduplicated(
        read_all(path, format, "test", set.image_root, config.skip_malformed, notes).samples,
        config.loader_threads, notes);
    clamp_ages(split.validation, notes);
  } else {
    SplitOptions options;
    options.seed = set.seed;
    options.subject_disjoint = set.split == "subject";
    options.fractions = {1.0 - set.validation_fraction - set.test_fraction,
                         set.validation_fraction, set.test_fraction};
    split = split_dataset(samples, options);
  }
  notes.push_back(fmt::format("split ({}): {} train, {} validation, {} test", set.split,
                              split.train.size(), split.validation.size(), split.test.size()));
  if (split.train.empty() && set.weight > 0)
    fail("{}: no training samples left after reading and splitting", set.path);
  return split;
}

void append(std::vector<Sample>& to, std::vector<Sample>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

ModelSpec model_spec_for(const TrainConfig& config) {
  ModelSpec spec;
  spec.network.architecture = config.architecture;
  spec.network.multitask = config.multitask;
  spec.formulation = parse_formulation(config.formulation);
  spec.preprocessing = config.preprocessing;
  return spec;
}

TrainingData prepare_training_data(const TrainConfig& config) {
  const std::vector<DatasetConfig> sets = training_sets(config);
  if (sets.size() == 1 && sets[0].path.empty())
    fail("data.path is not set (the dataset to train on)");
  TrainingData data;
  for (const DatasetConfig& set : sets) {
    // Several sets: each note says which set it is about.
    std::vector<std::string> notes;
    DatasetSplit split = prepare_set(set, config, notes);
    for (const std::string& note : notes)
      data.notes.push_back(sets.size() > 1 ? set.name + ": " + note : note);
    data.sets.push_back({set.name, set.weight, set.seed, split.train.size(),
                         split.validation.size(), split.test.size()});
    append(data.train, split.train);
    append(data.validation, split.validation);
    append(data.test, split.test);
  }
  if (sets.size() > 1 || sets[0].weight != 1.0) {
    const WeightedEpochs weights = weighted_epochs(data, config);
    for (size_t i = 0; i < data.sets.size(); ++i)
      data.notes.push_back(fmt::format("{}: weight {} draws {} of its {} train rows per epoch",
                                       data.sets[i].name, data.sets[i].weight, weights.drawn(i),
                                       data.sets[i].train));
  }
  const std::string what = sets.size() == 1 ? sets[0].path : "[[data.sets]]";
  if (data.train.empty()) fail("{}: no training samples left after reading and splitting", what);
  if (data.validation.empty())
    fail("{}: no validation samples (set data.validation_fraction > 0 or data.validation_path)",
         what);
  return data;
}

DatasetMembership membership(const TrainingData& data, size_t PreparedSet::*part) {
  std::vector<std::string> names;
  std::vector<size_t> counts;
  for (const PreparedSet& set : data.sets) {
    names.push_back(set.name);
    counts.push_back(set.*part);
  }
  return membership_of_blocks(names, counts);
}

WeightedEpochs weighted_epochs(const TrainingData& data, const TrainConfig& config) {
  std::vector<WeightedSet> sets;
  for (const PreparedSet& set : data.sets) sets.push_back({set.train, set.weight, set.seed});
  return WeightedEpochs(std::move(sets), config.seed);
}

std::vector<Sample> read_evaluation_samples(const std::string& path, const std::string& format,
                                            std::vector<std::string>& notes) {
  std::vector<Sample> samples =
      deduplicated(read_all(path, format, "test", "", true, notes).samples, 2, notes);
  clamp_ages(samples, notes);
  if (samples.empty()) fail("{}: no samples to evaluate", path);
  return samples;
}

LoaderOptions loader_options_for(const TrainConfig& config, const Preprocessing& preprocessing,
                                 bool training) {
  LoaderOptions options;
  options.batch_size = static_cast<size_t>(config.batch_size);
  options.shuffle = training;
  options.drop_last = false;
  options.seed = config.seed;
  options.threads = config.loader_threads;
  options.preprocessing = preprocessing;
  options.augment = training && config.augment;
  options.augmentation = config.augmentation;
  return options;
}

std::unique_ptr<LoaderBatchSource> training_source(const TrainingData& data,
                                                   const TrainConfig& config,
                                                   const Preprocessing& preprocessing,
                                                   size_t shard, size_t shard_count) {
  LoaderOptions options = loader_options_for(config, preprocessing, true);
  options.shard = shard;
  options.shard_count = shard_count;
  const WeightedEpochs weights = weighted_epochs(data, config);
  // Every weight 1: the loader's own shuffle is the same order, over the same rows.
  if (weights.plain()) return std::make_unique<LoaderBatchSource>(data.train, options);
  if (weights.epoch_size() == 0) fail("[[data.sets]]: every weight is 0: nothing to train on");
  options.visit_order = [weights](uint64_t epoch) { return weights.order(epoch); };
  return std::make_unique<LoaderBatchSource>(weights.loader_rows(data.train), options);
}

LoaderBatchSource::LoaderBatchSource(std::vector<Sample> samples, LoaderOptions options)
    : loader_(std::move(samples), std::move(options)) {}

}  // namespace faceage
