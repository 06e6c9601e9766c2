// No lost work, for real: a child `faceage train` is killed with SIGKILL in the middle of
// writing a checkpoint (held there by FACEAGE_TEST_PAUSE_IN_CHECKPOINT_WRITE, see
// learn/checkpoint_pause.h). The previous checkpoint must be intact and loadable, and
// rerunning the same command must resume after it and finish the run.
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/checkpoint.h"
#include "faceage/learn/optimization.h"
#include "faceage/learn/trainer.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {
namespace fs = std::filesystem;
using faceage::testing::ChildProcess;

std::vector<std::string> train_command(const std::string& csv, const std::string& run) {
  const std::vector<std::string> settings = {
      "data.format=csv", "data.path=" + csv, "data.test_fraction=0",
      "data.validation_fraction=0.25", "model.architecture=resnet18", "model.input_size=64",
      "augment.enabled=false", "train.epochs=3", "train.batch_size=6", "train.device=cpu",
      "train.loader_threads=1", "train.torch_threads=1", "train.output_dir=" + run};
  std::vector<std::string> argv = {faceage::testing::cli_path(), "train"};
  for (const std::string& setting : settings) {
    argv.push_back("--set");
    argv.push_back(setting);
  }
  return argv;
}

TrainingProgress progress_of(const std::string& checkpoint) {
  TrainConfig config;
  config.preprocessing.input_size = 64;
  const std::shared_ptr<AgeNet> network = make_age_net(AgeNetOptions{});
  const std::unique_ptr<torch::optim::Optimizer> optimizer = make_optimizer(*network, config);
  return load_checkpoint(checkpoint, *network, *optimizer).progress;
}

std::string file_text(const std::string& path) {
  return fs::exists(path) ? read_file_bytes(path) : std::string();
}

TEST(KillDuringCheckpoint, PreviousCheckpointSurvivesAndTrainingResumesAfterIt) {
  const std::string dir = faceage::testing::temp_dir("kill-during-checkpoint");
  const std::string csv = faceage::testing::write_noise_face_dataset(dir, 24);
  const std::string run = dir + "/run";
  const std::string marker = dir + "/paused-in-write";
  const std::vector<std::string> command = train_command(csv, run);

  {
    ChildProcess child(command, {"FACEAGE_TEST_PAUSE_IN_CHECKPOINT_WRITE=2:" + marker},
                       dir + "/first.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (!fs::exists(marker) && child.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(fs::exists(marker)) << "never reached epoch 2's checkpoint write:\n"
                                    << file_text(dir + "/first.log");
    // Epoch 1's files as they are while epoch 2's checkpoint is half written.
    const std::string last_before = file_text(last_checkpoint_path(run));
    const std::string best_before = file_text(best_checkpoint_path(run));
    child.kill_hard();
    EXPECT_EQ(child.exit_code(), 128 + SIGKILL);

    ASSERT_FALSE(last_before.empty());
    EXPECT_EQ(file_text(last_checkpoint_path(run)), last_before);
    EXPECT_EQ(file_text(best_checkpoint_path(run)), best_before);
    EXPECT_EQ(progress_of(last_checkpoint_path(run)).completed_epochs, 1);
    EXPECT_EQ(progress_of(best_checkpoint_path(run)).completed_epochs, 1);
    // The kill did land mid-write: the half-written temporary file is there, unused.
    bool partial_found = false;
    for (const auto& entry : fs::directory_iterator(run))
      partial_found |= entry.path().filename().string().find(".safetensors.tmp.") != std::string::npos;
    EXPECT_TRUE(partial_found);
  }

  // The same command again (no hook): resumes after epoch 1, trains epochs 2 and 3.
  std::string command_line;
  for (const std::string& arg : command) command_line += "'" + arg + "' ";
  const faceage::testing::CommandResult resumed = faceage::testing::run_command(command_line);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming " + last_checkpoint_path(run) + " after epoch 1 of 3"),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(progress_of(last_checkpoint_path(run)).completed_epochs, 3);
  // The killed write's temporary file is cleaned up by the resumed run.
  for (const auto& entry : fs::directory_iterator(run))
    EXPECT_EQ(entry.path().filename().string().find(".safetensors.tmp."), std::string::npos)
        << entry.path();
  std::ifstream metrics(metrics_path(run));
  std::vector<int> epochs;
  for (std::string line; std::getline(metrics, line);)
    epochs.push_back(nlohmann::json::parse(line).at("epoch").get<int>());
  EXPECT_EQ(epochs, (std::vector<int>{0, 1, 2}));
}

}  // namespace
}  // namespace faceage
