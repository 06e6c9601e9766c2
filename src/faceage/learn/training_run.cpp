#include "faceage/learn/training_run.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <spdlog/spdlog.h>

#include "faceage/core/version.h"
#include "faceage/data/sample_csv.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/training_images_fingerprint.h"

namespace faceage {

TrainingResult run_training(const TrainConfig& config, const LaunchEnvironment& environment,
                            Communicator* communicator) {
  const TrainingData data = prepare_training_data(config);
  for (const std::string& note : data.notes) spdlog::info("{}", note);
  if (environment.primary()) {
    // The split as CSV beside the checkpoints: what was trained and validated on, for
    // `faceage eval` and for anyone reproducing the run.
    std::filesystem::create_directories(config.output_dir);
    write_samples_csv(config.output_dir + "/train.csv", data.train);
    write_samples_csv(config.output_dir + "/validation.csv", data.validation);
    if (!data.test.empty()) write_samples_csv(config.output_dir + "/test.csv", data.test);
  }

  ModelSpec spec = model_spec_for(config);
  spec.card["trained_with"] = build_description();  // the build that wrote the model files
  // Every model file of the run records its train split, so eval can tell training images
  // from held-out ones (only rank 0 writes model files).
  if (environment.primary()) {
    std::vector<std::string> paths;
    for (const Sample& sample : data.train) paths.push_back(sample.image_path);
    spec.training_fingerprint = fingerprint_of_images(paths, std::max(1, config.loader_threads));
    spdlog::info("training fingerprint: {} images in a {:.1f} KB Bloom filter",
                 spec.training_fingerprint->images(), spec.training_fingerprint->bits() / 8192.0);
  }
  const std::unique_ptr<LoaderBatchSource> train =
      training_source(data, config, spec.preprocessing, static_cast<size_t>(environment.rank),
                      static_cast<size_t>(environment.world_size));
  LoaderBatchSource validation(environment.primary() ? data.validation : std::vector<Sample>{},
                               loader_options_for(config, spec.preprocessing, false));
  Trainer trainer(config, spec, *train, validation, communicator);
  trainer.validation_sets = membership(data, &PreparedSet::validation);
  TrainingResult result = trainer.run();
  const LoaderReport skipped = train->loader().report();
  if (skipped.images_skipped > 0) spdlog::warn("training images skipped: {}", skipped.summary());
  return result;
}

}  // namespace faceage
