// The training loop: checkpoints, best/last, metrics lines, and resume without loss.
// Synthetic tensors stand in for faces here: the point is the loop's bookkeeping.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "faceage/core/error.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/learn/trainer.h"
#include "faceage/nn/weights.h"
#include "test_support.h"

namespace faceage {
namespace {

// Fixed images whose mean brightness encodes the age, served in a per-epoch seeded order.
class SyntheticSource : public BatchSource {
 public:
  SyntheticSource(int64_t samples, int64_t batch, uint64_t seed) : batch_(batch) {
    torch::manual_seed(seed);
    ages_ = torch::randint(1, 90, {samples}).to(torch::kFloat32);
    images_ = torch::randn({samples, 3, 64, 64}) * 0.1 + (ages_ / 45.0 - 1).view({-1, 1, 1, 1});
  }
  void start_epoch(int epoch) override {
    torch::Generator generator = at::detail::createCPUGenerator(1000 + epoch);
    order_ = torch::randperm(ages_.size(0), generator);
    position_ = 0;
  }
  std::optional<Batch> next() override {
    if (position_ >= ages_.size(0)) return std::nullopt;
    const int64_t end = std::min(position_ + batch_, ages_.size(0));
    const torch::Tensor rows = order_.slice(0, position_, end);
    position_ = end;
    Batch batch;
    batch.images = images_.index_select(0, rows);
    batch.ages = ages_.index_select(0, rows);
    batch.genders = torch::full({rows.size(0)}, -1, torch::kLong);
    batch.ethnicities = batch.genders.clone();
    for (int64_t i = 0; i < rows.size(0); ++i)
      batch.sample_indices.push_back(static_cast<size_t>(rows[i].item<int64_t>()));
    return batch;
  }
  size_t batches_per_epoch() const override {
    return static_cast<size_t>((ages_.size(0) + batch_ - 1) / batch_);
  }
  size_t samples() const override { return static_cast<size_t>(ages_.size(0)); }

 private:
  int64_t batch_, position_ = 0;
  torch::Tensor ages_, images_, order_;
};

TrainConfig small_config(const std::string& dir, int epochs) {
  TrainConfig config;
  config.architecture = "resnet18";
  config.preprocessing.input_size = 64;
  config.epochs = epochs;
  config.batch_size = 8;
  config.learning_rate = 1e-3;
  config.schedule = "step";
  config.step_epochs = 1;
  config.gamma = 0.5;
  config.output_dir = dir;
  config.device = "cpu";
  return config;
}

ModelSpec spec_for(const TrainConfig& config) {
  ModelSpec spec;
  spec.network.architecture = config.architecture;
  spec.preprocessing.input_size = config.preprocessing.input_size;
  return spec;
}

// An unbroken run of `epochs` epochs into `dir`.
void train_straight(const std::string& dir, int epochs, double checkpoint_minutes = 10) {
  SyntheticSource train(32, 8, 1), validation(16, 8, 2);
  TrainConfig config = small_config(dir, epochs);
  config.checkpoint_minutes = checkpoint_minutes;
  Trainer(config, spec_for(config), train, validation).run();
}

// The final weights of the runs in two folders agree.
void expect_same_weights(const std::string& dir, const std::string& other_dir) {
  const TensorMap a = read_safetensors(last_checkpoint_path(dir)).tensors;
  const TensorMap b = read_safetensors(last_checkpoint_path(other_dir)).tensors;
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a)
    EXPECT_TRUE(faceage::testing::tensors_close(b.at(name), tensor, 1e-6)) << name;
}

nlohmann::json checkpoint_progress(const std::string& dir) {
  return nlohmann::json::parse(
      read_safetensors(last_checkpoint_path(dir)).metadata.at("faceage.progress"));
}

TEST(Trainer, WritesCheckpointsAndOneMetricsLinePerEpoch) {
  const std::string dir = faceage::testing::temp_dir("trainer-files");
  SyntheticSource train(32, 8, 1), validation(16, 8, 2);
  const TrainConfig config = small_config(dir, 2);
  Trainer trainer(config, spec_for(config), train, validation);
  const TrainingResult result = trainer.run();
  ASSERT_EQ(result.history.size(), 2u);
  EXPECT_TRUE(result.history[0].best);
  EXPECT_DOUBLE_EQ(result.history[1].learning_rate, 0.5e-3);
  EXPECT_TRUE(std::filesystem::exists(best_checkpoint_path(dir)));
  std::ifstream metrics(metrics_path(dir));
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) ++lines;
  EXPECT_EQ(lines, 2);
  // The checkpoint is a model file too.
  const LoadedModel model = load_model(last_checkpoint_path(dir));
  EXPECT_EQ(model.spec.network.architecture, "resnet18");
}

// Reruns `config` as the same command would after a stop: it trains epochs `from`.. on.
void expect_rerun_trains_from(const TrainConfig& config, BatchSource& train,
                              BatchSource& validation, int from) {
  Trainer again(config, spec_for(config), train, validation);
  const TrainingResult rest = again.run();
  ASSERT_EQ(rest.history.size(), static_cast<size_t>(config.epochs - from));
  EXPECT_EQ(rest.history.front().epoch, from);
}

TEST(Trainer, ResumedRunEndsWithTheSameWeightsAsAnUninterruptedOne) {
  const std::string straight = faceage::testing::temp_dir("trainer-straight");
  const std::string resumed = faceage::testing::temp_dir("trainer-resumed");
  train_straight(straight, 3);
  {
    // "Killed" after epoch 1: a run that stops early, then a fresh process-like restart.
    SyntheticSource train(32, 8, 1), validation(16, 8, 2);
    const TrainConfig config = small_config(resumed, 3);
    Trainer first(config, spec_for(config), train, validation);
    first.on_epoch_end = [](const EpochRecord&) { return false; };
    ASSERT_EQ(first.run().history.size(), 1u);
    expect_rerun_trains_from(config, train, validation, 1);
  }
  expect_same_weights(straight, resumed);
}

// Serves `source`'s batches and raises SIGINT (Ctrl-C) as it hands out batch `stop_at`
// (counted over all epochs from 1), as a user would mid-epoch.
class InterruptingSource : public BatchSource {
 public:
  InterruptingSource(BatchSource& source, int stop_at) : source_(source), stop_at_(stop_at) {}
  void start_epoch(int epoch) override { source_.start_epoch(epoch); }
  std::optional<Batch> next() override {
    if (++served_ == stop_at_) std::raise(SIGINT);
    return source_.next();
  }
  size_t batches_per_epoch() const override { return source_.batches_per_epoch(); }
  size_t samples() const override { return source_.samples(); }

 private:
  BatchSource& source_;
  int stop_at_, served_ = 0;
};

TEST(Trainer, StoppedMidEpochResumesAtTheNextBatchWithTheSameWeights) {
  const std::string straight = faceage::testing::temp_dir("trainer-mid-straight");
  const std::string resumed = faceage::testing::temp_dir("trainer-mid-resumed");
  train_straight(straight, 2);
  {
    SyntheticSource train(32, 8, 1), validation(16, 8, 2);
    const TrainConfig config = small_config(resumed, 2);
    InterruptingSource interrupting(train, 4 + 2);  // the 2nd batch of epoch 2
    Trainer first(config, spec_for(config), interrupting, validation);
    const TrainingResult stopped = first.run();
    EXPECT_TRUE(stopped.interrupted);
    ASSERT_EQ(stopped.history.size(), 1u);
    EXPECT_EQ(checkpoint_progress(resumed).at("completed_epochs"), 1);
    EXPECT_EQ(checkpoint_progress(resumed).at("batches_into_epoch"), 2);
    expect_rerun_trains_from(config, train, validation, 1);
  }
  expect_same_weights(straight, resumed);
  // One metrics line per epoch, the resumed epoch's loss over all its batches.
  std::ifstream straight_metrics(metrics_path(straight)), resumed_metrics(metrics_path(resumed));
  for (std::string x, y; std::getline(straight_metrics, x);) {
    ASSERT_TRUE(std::getline(resumed_metrics, y));
    const auto left = nlohmann::json::parse(x), right = nlohmann::json::parse(y);
    EXPECT_NEAR(left.at("train_loss").get<double>(), right.at("train_loss").get<double>(), 1e-6);
    EXPECT_NEAR(left.at("mae").get<double>(), right.at("mae").get<double>(), 1e-6);
  }
}

TEST(Trainer, PeriodicMidEpochCheckpointsChangeNothing) {
  const std::string quiet = faceage::testing::temp_dir("trainer-no-mid");
  const std::string saving = faceage::testing::temp_dir("trainer-every-batch");
  train_straight(quiet, 2, 0);
  train_straight(saving, 2, 1e-9);  // a checkpoint after every batch
  expect_same_weights(quiet, saving);
  // The last checkpoint is an epoch's end again.
  EXPECT_EQ(checkpoint_progress(saving).at("batches_into_epoch"), 0);
}

TEST(Trainer, CheckpointOfAnotherArchitectureIsRefused) {
  const std::string dir = faceage::testing::temp_dir("trainer-arch");
  SyntheticSource train(16, 8, 1), validation(8, 8, 2);
  TrainConfig config = small_config(dir, 1);
  Trainer(config, spec_for(config), train, validation).run();
  config.architecture = "resnet34";
  config.epochs = 2;
  Trainer other(config, spec_for(config), train, validation);
  try {
    other.run();
    FAIL() << "resumed a resnet18 checkpoint into resnet34";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet18"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace faceage
