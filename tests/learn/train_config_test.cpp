// Configuration files: defaults, TOML, overrides, and clear errors for bad keys and types.
#include <gtest/gtest.h>

#include <filesystem>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/learn/train_config.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string write_config(const std::string& name, const std::string& text) {
  const std::string path = faceage::testing::temp_dir("config-" + name) + "/run.toml";
  write_text_atomically(path, text);
  return path;
}

void expect_error(const std::string& path, const std::vector<std::string>& overrides,
                  const std::string& expected) {
  try {
    load_train_config(path, overrides);
    FAIL() << "no error; expected '" << expected << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(TrainConfig, TomlValuesAndOverridesApply) {
  const std::string path = write_config("ok", R"(
[model]
architecture = "resnet50"
sigma = 3
[optim]
learning_rate = 0.01
[train]
epochs = 12
)");
  const TrainConfig config = load_train_config(path, {"train.epochs=3", "data.margin=0.4",
                                                      "model.multitask=true"});
  EXPECT_EQ(config.architecture, "resnet50");
  EXPECT_DOUBLE_EQ(config.sigma, 3.0);  // an integer is accepted where a number is expected
  EXPECT_DOUBLE_EQ(config.learning_rate, 0.01);
  EXPECT_EQ(config.epochs, 3);
  EXPECT_DOUBLE_EQ(config.preprocessing.margin, 0.4);
  EXPECT_TRUE(config.multitask);
  EXPECT_EQ(config.batch_size, TrainConfig{}.batch_size);
}

TEST(TrainConfig, JsonRoundTrip) {
  TrainConfig config;
  config.architecture = "vgg16_bn";
  config.seed = 42;
  const TrainConfig back = config_from_json(to_json(config), "round trip");
  EXPECT_EQ(to_json(back), to_json(config));
}

TEST(TrainConfig, BadKeysTypesAndValuesAreNamed) {
  expect_error(write_config("key", "[model]\nbackbone = \"x\"\n"), {}, "unknown key model.backbone");
  expect_error(write_config("section", "[modle]\n"), {}, "unknown section [modle]");
  expect_error(write_config("type", "[train]\nepochs = \"ten\"\n"), {},
               "train.epochs must be an integer");
  expect_error(write_config("syntax", "[train\nepochs = 1\n"), {}, "line 1");
  expect_error(write_config("value", "[model]\nformulation = \"regression\"\n"), {},
               "'regression' is not one of");
  expect_error("", {"train.epochs=many"}, "train.epochs must be an integer");
  expect_error("", {"train.nothing=1"}, "unknown key train.nothing");
  expect_error("", {"epochs"}, "expected section.key=value");
  expect_error("", {"model.input_size=4"}, "model.input_size: 4 is outside [8, 4096]");
  expect_error("", {"data.margin=-0.1"}, "data.margin: -0.1 must be a ratio >= 0");
  expect_error("/nonexistent/run.toml", {}, "/nonexistent/run.toml");
}

// A run that differs from a base in a few keys holds just those keys (configs/paper/utkface-aaf/).
TEST(TrainConfig, AFileExtendsItsBaseKeyByKey) {
  const std::string folder = faceage::testing::temp_dir("config-extends");
  write_text_atomically(folder + "/base.toml", R"(
[model]
formulation = "ldl"
sigma = 3.0
[data]
margin = 0.2
[[data.sets]]
path = "a"
[[data.sets]]
path = "b"
[train]
epochs = 6
)");
  write_text_atomically(folder + "/middle.toml", "extends = \"base.toml\"\n[train]\nepochs = 4\n");
  std::filesystem::create_directories(folder + "/runs");
  write_text_atomically(folder + "/runs/run.toml", R"(extends = "../middle.toml"
[model]
formulation = "classification"
[[data.sets]]
path = "c"
)");
  const TrainConfig run = load_train_config(folder + "/runs/run.toml", {"data.margin=0.4"});
  EXPECT_EQ(run.formulation, "classification");  // the run's own key
  EXPECT_EQ(run.sigma, 3.0);                       // the base's, through the middle file
  EXPECT_EQ(run.epochs, 4);                        // the middle file's over the base's
  EXPECT_EQ(run.preprocessing.margin, 0.4);        // --set over all of them
  ASSERT_EQ(run.sets.size(), 1u);                  // a list of sets replaces the whole list
  EXPECT_EQ(run.sets[0].path, "c");

  // Errors name the file that holds the key, and a cycle ends.
  write_text_atomically(folder + "/typo.toml", "extends = \"base.toml\"\n[train]\nepoch = 4\n");
  expect_error(folder + "/typo.toml", {}, "typo.toml: unknown key train.epoch");
  write_text_atomically(folder + "/missing.toml", "extends = \"nowhere.toml\"\n");
  expect_error(folder + "/missing.toml", {}, "missing.toml: extends 'nowhere.toml': no such file");
  write_text_atomically(folder + "/cycle.toml", "extends = \"cycle.toml\"\n");
  expect_error(folder + "/cycle.toml", {}, "a cycle?");
  write_text_atomically(folder + "/number.toml", "extends = 3\n");
  expect_error(folder + "/number.toml", {}, "extends must name a configuration file");
  EXPECT_THROW(parse_train_config("extends = \"base.toml\"\n", "text"), Error);
}

TEST(TrainConfig, IntegersBeyondTheKeysRangeAreErrorsNotWrapped) {
  expect_error(write_config("wrap", "[train]\nepochs = 4294967297\n"), {},
               "train.epochs = 4294967297 is out of range");
  expect_error(write_config("negative-seed", "[train]\nseed = -1\n"), {},
               "train.seed = -1 is out of range");
  expect_error("", {"train.batch_size=99999999999"}, "train.batch_size = 99999999999 is out of range");
}

TEST(TrainConfig, NanAndInfinityAreNotNumbersHere) {
  // They would pass every range check (nan <= 0 is false) and break the checkpoint's JSON.
  expect_error(write_config("nan", "[optim]\nlearning_rate = nan\n"), {},
               "optim.learning_rate must be a number");
  expect_error("", {"model.sigma=inf"}, "model.sigma must be a number");
}

TEST(TrainConfig, DatasetSetsInheritDataKeysAndNameThemselves) {
  const std::string path = write_config("sets", R"(
[data]
validation_fraction = 0.2
max_samples = 500
[[data.sets]]
format = "utkface"
path = "../shared/data/utkface/"
weight = 2
[[data.sets]]
name = "aaf"
format = "csv"
path = "runs/aaf/rows.csv"
seed = 11
test_fraction = 0
max_samples = 0
[train]
seed = 7
)");
  const TrainConfig config = load_train_config(path, {"data.test_fraction=0.05"});
  const std::vector<DatasetConfig> sets = training_sets(config);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "utkface");  // the folder's name
  EXPECT_EQ(sets[0].format, "utkface");
  EXPECT_DOUBLE_EQ(sets[0].weight, 2.0);
  EXPECT_EQ(sets[0].seed, 7u);  // train.seed
  EXPECT_DOUBLE_EQ(sets[0].validation_fraction, 0.2);
  EXPECT_DOUBLE_EQ(sets[0].test_fraction, 0.05);  // [data], overridden on the command line
  EXPECT_EQ(sets[0].max_samples, 500);
  EXPECT_EQ(sets[1].name, "aaf");
  EXPECT_EQ(sets[1].path, "runs/aaf/rows.csv");
  EXPECT_EQ(sets[1].seed, 11u);
  EXPECT_DOUBLE_EQ(sets[1].weight, 1.0);
  EXPECT_DOUBLE_EQ(sets[1].test_fraction, 0.0);
  EXPECT_EQ(sets[1].max_samples, 0);
  // The checkpoint's JSON copy holds the resolved sets and reads back the same.
  EXPECT_EQ(to_json(config_from_json(to_json(config), "round trip")), to_json(config));
  EXPECT_EQ(default_set_name("runs/aaf/rows.csv"), "rows");
}

TEST(TrainConfig, OneDatasetIsTheOldDataKeys) {
  const TrainConfig config = load_train_config(
      "", {"data.path=../shared/data/utkface", "data.format=utkface", "train.seed=3"});
  EXPECT_TRUE(config.sets.empty());
  const std::vector<DatasetConfig> sets = training_sets(config);
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].name, "utkface");
  EXPECT_EQ(sets[0].path, "../shared/data/utkface");
  EXPECT_EQ(sets[0].seed, 3u);
  EXPECT_DOUBLE_EQ(sets[0].weight, 1.0);
}

TEST(TrainConfig, BadDatasetSetsAreNamedBySetAndKey) {
  const std::string two = "[[data.sets]]\nname = \"utk\"\npath = \"a\"\n[[data.sets]]\n";
  expect_error(write_config("set-key", two + "path = \"b\"\nwieght = 2\n"), {},
               "[[data.sets]] #2 (b): unknown key wieght");
  expect_error(write_config("set-type", two + "path = \"b\"\nweight = \"heavy\"\n"), {},
               "[[data.sets]] #2 (b): weight must be a number, got \"heavy\"");
  expect_error(write_config("set-format", two + "name = \"aaf\"\npath = \"b\"\nformat = \"imdb\"\n"),
               {}, "[[data.sets]] #2 (aaf): format = 'imdb' is not one of auto, csv");
  expect_error(write_config("set-weight", two + "path = \"b\"\nweight = -1\n"), {},
               "[[data.sets]] #2 (b): weight -1 must be >= 0");
  expect_error(write_config("set-path", two + "name = \"aaf\"\n"), {},
               "[[data.sets]] #2 (aaf): path is not set");
  expect_error(write_config("set-name", two + "name = \"utk\"\npath = \"b\"\n"), {},
               "[[data.sets]] #2 (utk): another set has the name 'utk'");
  expect_error(write_config("set-fractions", two + "path = \"b\"\nvalidation_fraction = 0.9\n"
                                                   "test_fraction = 0.2\n"),
               {}, "[[data.sets]] #2 (b): validation_fraction + test_fraction must be in [0, 1)");
  expect_error(write_config("set-seed", two + "path = \"b\"\nseed = -4\n"), {},
               "[[data.sets]] #2 (b): set.seed = -4 is out of range");
  expect_error(write_config("set-both", two + "path = \"b\"\n"), {"data.path=c"},
               "data.path = 'c' and [[data.sets]] both name datasets");
  expect_error(write_config("set-table", "[data]\nsets = [1, 2]\n"), {},
               "[[data.sets]] #1 is not a table");
  expect_error("", {"data.sets=x"}, "data.sets is a list of tables");
}

}  // namespace
}  // namespace faceage
