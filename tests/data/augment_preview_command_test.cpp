// `faceage augment-preview` end to end on the real UTKFace folder.
#include <gtest/gtest.h>

#include "data_test_support.h"
#include "faceage/io/image.h"
#include "run_command.h"

namespace faceage {
namespace {
using namespace faceage::testing;

TEST(AugmentPreviewCommand, WritesAGridOfAugmentedFaces) {
  const std::string out = temp_dir("augment-preview") + "/grid.png";
  const CommandResult result = run_command(cli_path() + " augment-preview --data " + utkface_dir() +
                                           " --out " + out + " --count 9 --seed 3 --size 64");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "9 augmented samples")) << result.output;
  EXPECT_TRUE(contains(result.output, "4 malformed skipped")) << result.output;
  const cv::Mat grid = read_image(out);
  EXPECT_EQ(grid.cols, 3 * 64);       // 3 x 3 cells
  EXPECT_EQ(grid.rows, 3 * (64 + 24));  // each with a caption strip

  // The same seed gives the same picture; --originals doubles the columns.
  const std::string again = temp_dir("augment-preview-again") + "/grid.png";
  ASSERT_EQ(run_command(cli_path() + " augment-preview --data " + utkface_dir() + " --out " + again +
                        " --count 9 --seed 3 --size 64").exit_code, 0);
  EXPECT_EQ(cv::norm(read_image(again), grid, cv::NORM_INF), 0);
  ASSERT_EQ(run_command(cli_path() + " augment-preview --data " + utkface_dir() + " --out " + again +
                        " --count 4 --size 64 --originals --probability 1").exit_code, 0);
  EXPECT_EQ(read_image(again).cols, 4 * 64);
}

TEST(AugmentPreviewCommand, BadInputsAreOneLineErrors) {
  const std::string dir = temp_dir("augment-preview-bad");
  CommandResult result = run_command(cli_path() + " augment-preview --data " + dir + "/absent --out " + dir + "/g.png");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "absent: no such file")) << result.output;
  write_text_file(dir + "/aug.json", "{\"gamma_min\": 2}");
  result = run_command(cli_path() + " augment-preview --data " + utkface_dir() + " --out " + dir +
                       "/g.png --augmentation " + dir + "/aug.json");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "gamma_min")) << result.output;
}

}  // namespace
}  // namespace faceage
