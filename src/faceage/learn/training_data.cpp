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
                    const TrainConfig& config, std::vector<std::string>& notes) {
  DatasetSource source{path, dataset_format_from_name(format), split};
  ReadOptions options;
  options.on_malformed = config.skip_malformed ? MalformedPolicy::skip : MalformedPolicy::fail;
  options.image_root = config.image_root;
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

}  // namespace

ModelSpec model_spec_for(const TrainConfig& config) {
  ModelSpec spec;
  spec.network.architecture = config.architecture;
  spec.network.multitask = config.multitask;
  spec.formulation = parse_formulation(config.formulation);
  spec.preprocessing.input_size = config.input_size;
  spec.preprocessing.align = config.align;
  spec.preprocessing.margin = config.margin;
  return spec;
}

TrainingData prepare_training_data(const TrainConfig& config) {
  if (config.dataset_path.empty()) fail("data.path is not set (the dataset to train on)");
  TrainingData data;
  const bool given = config.split == "given";
  std::vector<Sample> samples =
      deduplicated(read_all(config.dataset_path, config.dataset_format, "train", config, data.notes)
                       .samples,
                   config.loader_threads, data.notes);
  clamp_ages(samples, data.notes);

  if (config.max_samples > 0 && static_cast<size_t>(config.max_samples) < samples.size()) {
    // The loader's seeded order: the same subset on every machine and standard library.
    const std::vector<size_t> order = epoch_order(samples.size(), config.seed, 0, true);
    std::vector<Sample> subset;
    for (size_t i = 0; i < static_cast<size_t>(config.max_samples); ++i)
      subset.push_back(samples[order[i]]);
    samples = std::move(subset);
    data.notes.push_back(fmt::format("seeded subset of {} samples", samples.size()));
  }

  if (!config.validation_path.empty() || given) {
    // A given split: the dataset's own test list (MegaAge) or a separate file.
    const std::string path = config.validation_path.empty() ? config.dataset_path
                                                            : config.validation_path;
    const std::string format = config.validation_path.empty() ? config.dataset_format : "auto";
    data.train = std::move(samples);
    data.validation =
        deduplicated(read_all(path, format, "test", config, data.notes).samples,
                     config.loader_threads, data.notes);
    clamp_ages(data.validation, data.notes);
  } else {
    SplitOptions options;
    options.seed = config.seed;
    options.subject_disjoint = config.split == "subject";
    options.fractions = {1.0 - config.validation_fraction - config.test_fraction,
                         config.validation_fraction, config.test_fraction};
    DatasetSplit split = split_dataset(samples, options);
    data.train = std::move(split.train);
    data.validation = std::move(split.validation);
    data.test = std::move(split.test);
  }
  data.notes.push_back(fmt::format("split ({}): {} train, {} validation, {} test", config.split,
                                   data.train.size(), data.validation.size(), data.test.size()));
  if (data.train.empty()) fail("{}: no training samples left after reading and splitting",
                               config.dataset_path);
  if (data.validation.empty())
    fail("{}: no validation samples (set data.validation_fraction > 0 or data.validation_path)",
         config.dataset_path);
  return data;
}

std::vector<Sample> read_evaluation_samples(const std::string& path, const std::string& format,
                                            std::vector<std::string>& notes) {
  TrainConfig config;
  config.skip_malformed = true;
  std::vector<Sample> samples =
      deduplicated(read_all(path, format, "test", config, notes).samples, 2, notes);
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

LoaderBatchSource::LoaderBatchSource(std::vector<Sample> samples, LoaderOptions options)
    : loader_(std::move(samples), std::move(options)) {}

}  // namespace faceage
