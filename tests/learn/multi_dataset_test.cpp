// Several datasets in one run, on real faces: each set split with its own seed, the
// weighted epoch order seeded and resumable, and a short training run over UTKFace crops
// plus All-Age-Faces photos aligned by `faceage align` that reports every set's
// validation metrics (metrics.jsonl, `faceage eval --config`).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faceage/core/error.h"
#include "faceage/data/loader.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/safetensors.h"
#include "faceage/learn/model_evaluation.h"
#include "faceage/learn/trainer.h"
#include "faceage/learn/training_data.h"
#include "faceage/learn/weighted_epochs.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

// The first `count` UTKFace crops (by name), linked into dir/utkface: a small UTKFace folder.
std::string utkface_subset(const std::string& dir, size_t count) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(faceage::testing::data_dir() + "/utkface"))
    if (entry.path().extension() == ".jpg") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  const fs::path folder = fs::path(dir) / "utkface";
  fs::create_directories(folder);
  for (size_t i = 0; i < std::min(count, files.size()); ++i)
    fs::create_symlink(files[i], folder / files[i].filename());
  return folder.string();
}

// The first `count` rows of All-Age-Faces' labels.csv, photos by absolute path.
std::string allagefaces_labels(const std::string& dir, size_t count) {
  const std::string root = faceage::testing::data_dir() + "/allagefaces";
  std::ifstream in(root + "/labels.csv");
  std::string line, text;
  std::getline(in, line);
  text = line + "\n";
  for (size_t i = 0; i < count && std::getline(in, line); ++i) text += root + "/" + line + "\n";
  const std::string path = dir + "/aaf-labels.csv";
  write_text_atomically(path, text);
  return path;
}

std::string two_set_config(const std::string& utkface, const std::string& aaf,
                           uint64_t aaf_seed, double utk_weight, double aaf_weight) {
  return fmt::format(R"(
[data]
validation_fraction = 0.2
test_fraction = 0.1
[[data.sets]]
name = "utk"
format = "utkface"
path = "{}"
seed = 7
weight = {}
[[data.sets]]
name = "aaf"
format = "csv"
path = "{}"
seed = {}
weight = {}
[train]
seed = 3
loader_threads = 1
)",
                     utkface, utk_weight, aaf, aaf_seed, aaf_weight);
}

std::vector<std::string> paths(const std::vector<Sample>& samples, size_t begin, size_t count) {
  std::vector<std::string> out;
  for (size_t i = begin; i < begin + count; ++i) out.push_back(samples.at(i).image_path);
  return out;
}

TEST(MultiDataset, EachSetIsSplitWithItsOwnSeed) {
  const std::string dir = faceage::testing::temp_dir("multi-split");
  const std::string utkface = utkface_subset(dir, 200);
  const std::string aaf = allagefaces_labels(dir, 120);
  const TrainingData data =
      prepare_training_data(parse_train_config(two_set_config(utkface, aaf, 11, 1, 1), "two"));
  ASSERT_EQ(data.sets.size(), 2u);
  EXPECT_EQ(data.sets[0].name, "utk");
  EXPECT_EQ(data.sets[1].name, "aaf");
  for (const PreparedSet& set : data.sets) {
    const size_t rows = set.train + set.validation + set.test;
    EXPECT_GT(rows, 100u) << set.name;
    EXPECT_EQ(set.validation, static_cast<size_t>(std::llround(0.2 * rows))) << set.name;
  }
  EXPECT_EQ(data.train.size(), data.sets[0].train + data.sets[1].train);
  EXPECT_EQ(data.validation.size(), data.sets[0].validation + data.sets[1].validation);

  // Each block is what that dataset alone, with that seed, splits into.
  const TrainingData utk_alone = prepare_training_data(parse_train_config(
      "", "utk alone",
      {"data.path=" + utkface, "data.validation_fraction=0.2", "data.test_fraction=0.1",
       "train.seed=7"}));
  const TrainingData aaf_alone = prepare_training_data(parse_train_config(
      "", "aaf alone",
      {"data.format=csv", "data.path=" + aaf, "data.validation_fraction=0.2",
       "data.test_fraction=0.1", "train.seed=11"}));
  EXPECT_EQ(paths(data.validation, 0, data.sets[0].validation),
            paths(utk_alone.validation, 0, utk_alone.validation.size()));
  EXPECT_EQ(paths(data.validation, data.sets[0].validation, data.sets[1].validation),
            paths(aaf_alone.validation, 0, aaf_alone.validation.size()));
  EXPECT_EQ(paths(data.train, data.sets[0].train, data.sets[1].train),
            paths(aaf_alone.train, 0, aaf_alone.train.size()));
  const DatasetMembership validation = membership(data, &PreparedSet::validation);
  ASSERT_EQ(validation.set_of_row.size(), data.validation.size());
  EXPECT_EQ(validation.set_of_row.front(), 0u);
  EXPECT_EQ(validation.set_of_row.back(), 1u);

  // Another seed for one set moves that set's split only.
  const TrainingData reseeded =
      prepare_training_data(parse_train_config(two_set_config(utkface, aaf, 12, 1, 1), "two"));
  EXPECT_EQ(paths(reseeded.validation, 0, data.sets[0].validation),
            paths(data.validation, 0, data.sets[0].validation));
  EXPECT_NE(paths(reseeded.validation, data.sets[0].validation, data.sets[1].validation),
            paths(data.validation, data.sets[0].validation, data.sets[1].validation));
}

TEST(MultiDataset, WeightedEpochsDrawEachSetsShareSeededByEpoch) {
  // Set 0: 10 rows twice per epoch; set 1: 7 rows, a seeded half (round(3.5) = 4).
  const WeightedEpochs weights({{10, 2.0, 1}, {7, 0.5, 2}}, 5);
  EXPECT_FALSE(weights.plain());
  EXPECT_EQ(weights.epoch_size(), 24u);
  EXPECT_EQ(weights.drawn(1), 4u);
  const std::vector<size_t> set_of = weights.set_of_loader_rows();
  ASSERT_EQ(set_of.size(), 27u);  // set 0's rows twice (each pass its own rows), set 1 once
  std::set<std::vector<size_t>> halves;
  for (uint64_t epoch = 0; epoch < 6; ++epoch) {
    const std::vector<size_t> order = weights.order(epoch);
    EXPECT_EQ(order, weights.order(epoch)) << "epoch " << epoch;  // a function of the epoch
    ASSERT_EQ(order.size(), 24u);
    std::map<size_t, int> visits;
    std::vector<size_t> half;
    for (size_t row : order) {
      ++visits[row];
      if (set_of.at(row) == 1) half.push_back(row);
    }
    for (size_t row = 0; row < 20; ++row) EXPECT_EQ(visits[row], 1) << row;  // both passes
    EXPECT_EQ(half.size(), 4u);
    EXPECT_EQ(std::set<size_t>(half.begin(), half.end()).size(), 4u);  // no row twice
    std::sort(half.begin(), half.end());
    halves.insert(half);
    if (epoch > 0) EXPECT_NE(order, weights.order(epoch - 1));
  }
  EXPECT_GT(halves.size(), 1u);  // a different half in different epochs

  // Every weight 1: exactly the loader's own shuffle over all rows.
  const WeightedEpochs plain({{10, 1.0, 1}, {7, 1.0, 2}}, 5);
  EXPECT_TRUE(plain.plain());
  for (uint64_t epoch = 0; epoch < 3; ++epoch)
    EXPECT_EQ(plain.order(epoch), epoch_order(17, 5, epoch, true));
}

TEST(MultiDataset, AResumedWeightedRunSeesTheSameBatches) {
  const std::string dir = faceage::testing::temp_dir("multi-resume");
  const TrainConfig config = parse_train_config(
      two_set_config(utkface_subset(dir, 60), allagefaces_labels(dir, 40), 11, 1.5, 0.5), "two",
      {"model.input_size=32", "train.batch_size=8"});
  const TrainingData data = prepare_training_data(config);
  const ModelSpec spec = model_spec_for(config);
  const WeightedEpochs weights = weighted_epochs(data, config);
  auto batches_of_epoch = [&](LoaderBatchSource& source, int epoch, size_t count) {
    source.start_epoch(epoch);
    std::vector<Batch> out;
    for (size_t i = 0; i < count; ++i) out.push_back(*source.next());
    return out;
  };
  // Uninterrupted: epochs 0 and 1 begun, then epoch 2. Resumed: a fresh source at epoch 2.
  const auto running = training_source(data, config, spec.preprocessing);
  EXPECT_EQ(running->batches_per_epoch(), (weights.epoch_size() + 7) / 8);
  batches_of_epoch(*running, 0, 2);
  batches_of_epoch(*running, 1, 1);
  const std::vector<Batch> uninterrupted = batches_of_epoch(*running, 2, 3);
  const auto resumed = training_source(data, config, spec.preprocessing);
  const std::vector<Batch> after_resume = batches_of_epoch(*resumed, 2, 3);
  for (size_t b = 0; b < 3; ++b) {
    EXPECT_EQ(after_resume[b].sample_indices, uninterrupted[b].sample_indices) << "batch " << b;
    EXPECT_TRUE(torch::equal(after_resume[b].images, uninterrupted[b].images)) << "batch " << b;
  }
  // The epoch visits round(weight x train rows) rows of each set.
  std::vector<size_t> visits(2, 0);
  const std::vector<size_t> set_of = weights.set_of_loader_rows();
  for (size_t row : weights.order(2)) ++visits[set_of.at(row)];
  EXPECT_EQ(visits[0], static_cast<size_t>(std::llround(1.5 * data.sets[0].train)));
  EXPECT_EQ(visits[1], static_cast<size_t>(std::llround(0.5 * data.sets[1].train)));

  // An order naming a row the loader does not have is refused, naming the row.
  LoaderOptions bad = loader_options_for(config, spec.preprocessing, true);
  bad.visit_order = [](uint64_t epoch) { return std::vector<size_t>{0, size_t{epoch > 0 ? 99u : 1u}}; };
  DataLoader loader(std::vector<Sample>(data.train.begin(), data.train.begin() + 2), bad);
  loader.start_epoch(0);
  try {
    loader.start_epoch(1);
    ADD_FAILURE() << "row 99 of 2 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("visit_order gave row 99 of 2"), std::string::npos)
        << e.what();
  }
}

TEST(MultiDataset, AStoppedWeightedRunResumesToTheSameWeights) {
  const std::string dir = faceage::testing::temp_dir("multi-trainer-resume");
  const std::string text =
      two_set_config(utkface_subset(dir, 40), allagefaces_labels(dir, 30), 11, 1.5, 0.5);
  auto config_for = [&](const std::string& run) {
    return parse_train_config(text, "two",
                              {"model.input_size=32", "train.batch_size=8", "train.epochs=2",
                               "train.max_batches_per_epoch=2", "train.device=cpu",
                               "train.torch_threads=2", "train.loader_threads=0",
                               "train.output_dir=" + run});
  };
  auto train = [&](const TrainConfig& config, bool stop_after_first_epoch) {
    const TrainingData data = prepare_training_data(config);
    const ModelSpec spec = model_spec_for(config);
    const auto source = training_source(data, config, spec.preprocessing);
    LoaderBatchSource validation(data.validation,
                                 loader_options_for(config, spec.preprocessing, false));
    Trainer trainer(config, spec, *source, validation);
    trainer.validation_sets = membership(data, &PreparedSet::validation);
    if (stop_after_first_epoch) trainer.on_epoch_end = [](const EpochRecord&) { return false; };
    return trainer.run();
  };
  const TrainConfig straight = config_for(dir + "/straight"), resumed = config_for(dir + "/resumed");
  const TrainingResult whole = train(straight, false);
  ASSERT_EQ(whole.history.size(), 2u);
  EXPECT_EQ(whole.history[1].validation_sets.size(), 2u);
  ASSERT_EQ(train(resumed, true).history.size(), 1u);  // "killed" after epoch 1
  const TrainingResult rest = train(resumed, false);   // the same run again: resumes
  ASSERT_EQ(rest.history.size(), 1u);
  EXPECT_EQ(rest.history[0].epoch, 1);
  const TensorMap a = read_safetensors(last_checkpoint_path(straight.output_dir)).tensors;
  const TensorMap b = read_safetensors(last_checkpoint_path(resumed.output_dir)).tensors;
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a)
    EXPECT_TRUE(faceage::testing::tensors_close(b.at(name), tensor, 1e-6)) << name;
  EXPECT_DOUBLE_EQ(rest.history[0].validation.mae, whole.history[1].validation.mae);
}

TEST(MultiDataset, OneEpochOnUtkfaceAndAlignedAllAgeFacesReportsEachSet) {
  const std::string dir = faceage::testing::temp_dir("multi-train");
  const std::string cli = faceage::testing::cli_path();
  const std::string rows = dir + "/aaf-rows.csv";
  const faceage::testing::CommandResult aligned = faceage::testing::run_command(
      "'" + cli + "' align '" + allagefaces_labels(dir, 150) + "' --out '" + rows +
      "' --jobs 2 --quiet");
  ASSERT_EQ(aligned.exit_code, 0) << aligned.output;

  const std::string run = dir + "/run";
  const std::string config_path = dir + "/two.toml";
  write_text_atomically(config_path, fmt::format(R"(
[model]
architecture = "resnet18"
input_size = 64
[data]
align = true
validation_fraction = 0.2
test_fraction = 0.0
[[data.sets]]
format = "utkface"
path = "{}"
[[data.sets]]
name = "allagefaces"
format = "csv"
path = "{}"
weight = 2
[augment]
enabled = false
[train]
epochs = 1
batch_size = 16
max_batches_per_epoch = 3
loader_threads = 1
torch_threads = 2
device = "cpu"
output_dir = "{}"
)",
                                                 utkface_subset(dir, 300), rows, run));
  const faceage::testing::CommandResult trained =
      faceage::testing::run_command("'" + cli + "' train --config '" + config_path + "'");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("; allagefaces ("), std::string::npos) << trained.output;

  // The split the run made, made again here (the same seeds give the same split).
  const TrainingData data = prepare_training_data(load_train_config(config_path, {}));
  ASSERT_EQ(data.sets.size(), 2u);
  EXPECT_GT(data.sets[1].validation, 20u);  // most of the 150 photos aligned
  std::ifstream metrics(metrics_path(run));
  std::string line;
  ASSERT_TRUE(std::getline(metrics, line));
  const json record = json::parse(line);
  EXPECT_EQ(record["validation_samples"].get<size_t>(), data.validation.size());
  ASSERT_TRUE(record.contains("validation_sets")) << line;
  for (const PreparedSet& set : data.sets) {
    SCOPED_TRACE(set.name);
    ASSERT_TRUE(record["validation_sets"].contains(set.name)) << line;
    const json& figures = record["validation_sets"][set.name];
    EXPECT_TRUE(std::isfinite(figures["mae"].get<double>()));
    EXPECT_GT(figures["mae"].get<double>(), 0.0);
    EXPECT_GE(figures["ca7"].get<double>(), figures["ca3"].get<double>());
    EXPECT_EQ(figures["validation_samples"].get<size_t>(), set.validation);
  }
  EXPECT_TRUE(fs::exists(run + "/curves.png"));

  // `faceage eval --config` scores each set's validation part and all of them together.
  const faceage::testing::CommandResult evaluated = faceage::testing::run_command(
      "'" + cli + "' eval --model '" + best_checkpoint_path(run) + "' --config '" + config_path +
      "' --flip-average false --json 2>/dev/null");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  std::string last_line = evaluated.output.substr(0, evaluated.output.find_last_not_of('\n') + 1);
  last_line = last_line.substr(last_line.find_last_of('\n') + 1);  // the --json line
  const json report = json::parse(last_line);
  EXPECT_EQ(report["count"].get<size_t>(), data.validation.size());
  for (const PreparedSet& set : data.sets) {
    ASSERT_TRUE(report["sets"].contains(set.name)) << evaluated.output;
    EXPECT_EQ(report["sets"][set.name]["count"].get<size_t>(), set.validation);
  }
  // The same model scored by eval and by the trainer's validation: the same MAE.
  EXPECT_NEAR(report["mae"].get<double>(), record["mae"].get<double>(), 1e-3);

  // In process, from the sets prepared above (as calibrate passes them): the same figures,
  // and the rows given are the rows scored, not the configuration's read again.
  EvaluationRequest request;
  request.model_path = best_checkpoint_path(run);
  request.config_path = config_path;
  request.flip_average = false;
  request.prepared = &data;
  const ModelEvaluation from_prepared = evaluate_model(request);
  EXPECT_EQ(from_prepared.report["count"].get<size_t>(), data.validation.size());
  EXPECT_NEAR(from_prepared.report["mae"].get<double>(), report["mae"].get<double>(), 1e-5);
  TrainingData first_set_only = data;
  first_set_only.validation.resize(data.sets[0].validation);
  first_set_only.sets[1].validation = 0;
  request.prepared = &first_set_only;
  EXPECT_EQ(evaluate_model(request).report["count"].get<size_t>(), data.sets[0].validation);
}

}  // namespace
}  // namespace faceage
