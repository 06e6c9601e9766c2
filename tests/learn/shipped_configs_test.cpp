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
    const std::string path = entry.path().string();
    if (path.find("/paper/") != std::string::npos && path.find("/utkface-aaf/") == std::string::npos) {
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

// Issue 22's matrix: every run is the base (Table 2's row) with one thing changed, and all
// share the split, the budget and the recipe.
TEST(ShippedConfigs, ThePaperMatrixOnUtkfaceAafChangesOneThingPerRun) {
  const std::string folder = faceage::testing::source_dir() + "/configs/paper/utkface-aaf/";
  const TrainConfig base = load_train_config(folder + "base.toml", {});
  const auto run = [&](const std::string& name) { return load_train_config(folder + name + ".toml", {}); };
  EXPECT_EQ(base.formulation, "ldl");
  EXPECT_FALSE(base.augment);
  EXPECT_EQ(base.preprocessing.margin, 0.0);
  EXPECT_FALSE(base.multitask);
  EXPECT_EQ(run("t1-classification").formulation, "classification");
  EXPECT_TRUE(run("t3-ldl-augment").augment);
  EXPECT_EQ(run("t4-ldl-margin40").preprocessing.margin, 0.4);
  EXPECT_FALSE(run("t4-ldl-margin40").augment);
  EXPECT_TRUE(run("t4-ldl-augment-margin20").augment);
  EXPECT_TRUE(run("t5-ldl-augment-margin20-multitask").multitask);
  EXPECT_EQ(run("ldl-sigma3").sigma, 3.0);
  EXPECT_EQ(run("ldl-lambda0").lambda, 0.0);
  int runs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename() == "base.toml" || entry.is_directory()) continue;
    SCOPED_TRACE(entry.path().string());
    const TrainConfig config = load_train_config(entry.path().string(), {});
    EXPECT_EQ(config.output_dir, "runs/paper/utkface-aaf/" + entry.path().stem().string());
    EXPECT_EQ(config.epochs, base.epochs);
    EXPECT_EQ(config.learning_rate, base.learning_rate);
    EXPECT_EQ(config.architecture, base.architecture);
    EXPECT_EQ(config.preprocessing.input_size, base.preprocessing.input_size);
    ASSERT_EQ(config.sets.size(), 2u);
    EXPECT_EQ(config.sets[0].seed, 1u);  // the split does not follow train.seed
    EXPECT_EQ(config.sets[1].seed, 11u);
    ++runs;
  }
  EXPECT_EQ(runs, 11);

  // The backbone rows: the base at 64 px from scratch, one architecture and formulation each.
  // Both rows of an architecture share a learning rate: Adam 1e-3, but 1e-4 for VGG16-BN,
  // which collapses at 1e-3 from scratch.
  const double backbone_rate =
      load_train_config(folder + "backbones/base-64px.toml", {}).learning_rate;
  EXPECT_EQ(backbone_rate, 1e-3);
  int backbones = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder + "backbones")) {
    if (entry.path().filename() == "base-64px.toml") continue;
    SCOPED_TRACE(entry.path().string());
    const TrainConfig config = load_train_config(entry.path().string(), {});
    EXPECT_EQ(config.output_dir, "runs/paper/utkface-aaf/backbones-" + entry.path().stem().string());
    EXPECT_EQ(config.preprocessing.input_size, 64);
    EXPECT_EQ(config.pretrained, "");
    EXPECT_EQ(config.epochs, base.epochs);
    EXPECT_NE(config.architecture, base.architecture);
    EXPECT_EQ(config.learning_rate, config.architecture == "vgg16_bn" ? 1e-4 : backbone_rate);
    ++backbones;
  }
  EXPECT_EQ(backbones, 6);
}

}  // namespace
}  // namespace faceage
