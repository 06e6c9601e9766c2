// Every configuration shipped in configs/ loads: no typo'd key or wrong type reaches a user.
// Only parsing: a config's datasets need not exist yet (runs/aaf/rows.csv is made by
// `faceage align`).
#include <gtest/gtest.h>

#include <filesystem>

#include "faceage/learn/train_config.h"
#include "test_support.h"

namespace faceage {
namespace {

TEST(ShippedConfigs, AllLoadAndTheTablesAreComplete) {
  namespace fs = std::filesystem;
  int loaded = 0, paper = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(faceage::testing::source_dir() + "/configs")) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    TrainConfig config;
    ASSERT_NO_THROW(config = load_train_config(entry.path().string(), {}));
    ++loaded;
    if (entry.path().string().find("/paper/") != std::string::npos) {
      ++paper;
      EXPECT_EQ(config.preprocessing.input_size, 224);
      EXPECT_EQ(config.batch_size, 128);
      EXPECT_EQ(config.epochs, 80);
    }
  }
  const TrainConfig mixed = load_train_config(
      faceage::testing::source_dir() + "/configs/utkface-aaf/resnet18-96-ldl.toml", {});
  const std::vector<DatasetConfig> sets = training_sets(mixed);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "utkface");
  EXPECT_EQ(sets[1].name, "allagefaces");
  EXPECT_EQ(sets[1].path, "runs/aaf/rows.csv");
  EXPECT_TRUE(mixed.preprocessing.align);
  // Tables 1-4 for three datasets (11 each) and Table 5 for MORPH.
  EXPECT_EQ(paper, 3 * 11 + 1);
  EXPECT_GT(loaded, paper);
}

}  // namespace
}  // namespace faceage
