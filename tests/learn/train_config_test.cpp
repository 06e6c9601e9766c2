// Configuration files: defaults, TOML, overrides, and clear errors for bad keys and types.
#include <gtest/gtest.h>

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
  EXPECT_DOUBLE_EQ(config.margin, 0.4);
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
  expect_error("", {"model.input_size=32"}, "at least 64");
  expect_error("/nonexistent/run.toml", {}, "/nonexistent/run.toml");
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

}  // namespace
}  // namespace faceage
