// Runs compared on one figure (`faceage curves`): what is read from metrics.jsonl, what is
// drawn, and the errors for files that are not a run's history.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/run_comparison.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string write_run(const std::string& folder, double validation_loss_step) {
  std::string text;
  for (int epoch = 0; epoch < 4; ++epoch)
    text += nlohmann::json{{"epoch", epoch},
                           {"train_loss", 3.0 - 0.5 * epoch},
                           {"validation_loss", 2.0 + validation_loss_step * epoch},
                           {"mae", 8.0 - epoch}}
                .dump() +
            "\n";
  write_text_atomically(folder + "/metrics.jsonl", text);
  return folder;
}

TEST(RunComparison, ReadsEachRunsEpochsAndNamesItByItsFolder) {
  const std::string root = faceage::testing::temp_dir("run-comparison");
  const std::string ce = write_run(root + "/t1-classification-s1", 0.4);
  const RunHistory run = read_run_history(ce);
  EXPECT_EQ(run.name, "t1-classification-s1");
  ASSERT_EQ(run.epochs.size(), 4u);
  EXPECT_DOUBLE_EQ(run.epochs[3]["validation_loss"].get<double>(), 2.0 + 3 * 0.4);
  EXPECT_EQ(read_run_history(ce + "/metrics.jsonl", "CE").name, "CE");
  EXPECT_EQ(read_run_history(ce + "/metrics.jsonl").name, "t1-classification-s1");
}

TEST(RunComparison, DrawsThreePanelsOfEveryRun) {
  const std::string root = faceage::testing::temp_dir("run-comparison-plot");
  const std::vector<RunHistory> runs = {read_run_history(write_run(root + "/ce", 0.4)),
                                        read_run_history(write_run(root + "/ldl", -0.1))};
  write_run_comparison(root + "/compare.png", runs);
  const cv::Mat one = cv::imread(root + "/compare.png");
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one.cols, 3 * 640);  // train loss, validation loss, validation MAE
  // A second run adds its own lines: the figure changes.
  write_run_comparison(root + "/alone.png", {runs[0]});
  const cv::Mat alone = cv::imread(root + "/alone.png");
  ASSERT_EQ(alone.size(), one.size());
  EXPECT_GT(cv::norm(one, alone, cv::NORM_L1), 0.0);
  // Relative losses are drawn on another scale: the loss panels change, the MAE panel not.
  write_run_comparison(root + "/relative.png", runs, /*relative_losses=*/true);
  const cv::Mat relative = cv::imread(root + "/relative.png");
  ASSERT_EQ(relative.size(), one.size());
  const cv::Rect losses(0, 0, 2 * 640, one.rows), mae(2 * 640, 0, 640, one.rows);
  EXPECT_GT(cv::norm(one(losses), relative(losses), cv::NORM_L1), 0.0);
  EXPECT_EQ(cv::norm(one(mae), relative(mae), cv::NORM_L1), 0.0);
}

TEST(RunComparison, FilesThatAreNotAHistoryAreNamed) {
  const std::string root = faceage::testing::temp_dir("run-comparison-bad");
  const auto expect_error = [](const std::string& path, const std::string& expected) {
    try {
      read_run_history(path);
      FAIL() << "no error for " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  expect_error(root + "/nowhere", "nowhere: cannot read");
  write_text_atomically(root + "/empty.jsonl", "\n");
  expect_error(root + "/empty.jsonl", "empty.jsonl: no epochs recorded");
  write_text_atomically(root + "/bad.jsonl", "{\"epoch\": 0}\nnot json\n");
  expect_error(root + "/bad.jsonl", "bad.jsonl: line 2: not an epoch record");
  EXPECT_THROW(write_run_comparison(root + "/none.png", {}), Error);
}

TEST(RunComparison, TheCurvesCommandWritesTheFigureOrSaysWhatIsWrong) {
  using faceage::testing::cli_path;
  using faceage::testing::run_command;
  const std::string root = faceage::testing::temp_dir("run-comparison-cli");
  write_run(root + "/a", 0.1), write_run(root + "/b", 0.2);
  const auto ok = run_command(cli_path() + " curves " + root + "/a " + root + "/b --label A --label B --relative -o " +
                              root + "/ab.png");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_FALSE(cv::imread(root + "/ab.png").empty());
  const auto labels = run_command(cli_path() + " curves " + root + "/a " + root + "/b --label A -o " +
                                  root + "/x.png");
  EXPECT_EQ(labels.exit_code, 1);
  EXPECT_NE(labels.output.find("--label: 1 labels for 2 runs"), std::string::npos) << labels.output;
}

}  // namespace
}  // namespace faceage
