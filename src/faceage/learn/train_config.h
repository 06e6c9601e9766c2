#pragma once
// Everything a training run depends on, read from a TOML file plus `--set key=value`
// overrides. The defaults double as the schema: an unknown key or a value of the wrong
// type is an error that names the key and the file.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/data/augmentation.h"
#include "faceage/model/preprocessing.h"

namespace faceage {

// One dataset of a run: a [[data.sets]] table. A key the table leaves out takes the
// value of the same key in [data] (seed: train.seed), so [data] holds what sets share.
struct DatasetConfig {
  std::string name;                 // in reports; "" in the file = the folder or file name
  std::string format = "utkface";   // auto | csv | utkface | megaage | morph | fgnet
  std::string path;
  std::string image_root;
  std::string split = "random";
  std::string validation_path;
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  int64_t max_samples = 0;
  // Rows per epoch = round(weight x this set's train size): 2 = each row twice,
  // 0.5 = a seeded half, a different half each epoch; 0 = validation only.
  double weight = 1.0;
  uint64_t seed = 1;                // its split, subset and weighted draws
};

struct TrainConfig {
  // [model]
  std::string architecture = "resnet18";
  // model.input_size, data.align and data.margin: what a trained model's file records;
  // mean and std are the architecture's (input_normalization), the rest Preprocessing's
  // defaults. Checked by check_preprocessing.
  Preprocessing preprocessing = {/*input_size=*/112, /*align=*/false, /*margin=*/0.0};
  bool multitask = false;
  std::string formulation = "ldl";  // classification | ldl
  double sigma = 2.0;
  double lambda = 1.0;
  std::string pretrained;           // safetensors file; "" = from scratch
  // Before the first epoch, measure each batch norm's input statistics on training
  // batches and re-express its scale and shift in them, so that train-mode batch norm
  // computes what the pretrained network computed (learn/batch_norm_recalibration.h).
  // For initialisations whose batch norms are plain scales (face_resnet29's).
  bool recalibrate_batch_norm = false;
  // [data]: one dataset, or what the [[data.sets]] share
  std::string dataset_format = "utkface";  // auto | csv | utkface | megaage | morph | fgnet
  std::string dataset_path;
  std::string image_root;                  // for CSV paths; "" = the CSV's folder
  std::string split = "random";            // random | subject | given
  std::string validation_path;             // a separate validation set: no split then
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  int64_t max_samples = 0;                 // 0 = all; else a seeded subset (quick runs)
  bool skip_malformed = true;
  // [[data.sets]], every key resolved (names, inherited keys, seeds); empty = the one
  // dataset of data.path. training_sets() gives the list either way.
  std::vector<DatasetConfig> sets;
  // [augment] (paper §4.5)
  bool augment = true;
  AugmentationOptions augmentation;
  // [optim]
  std::string optimizer = "adam";   // adam | sgd
  double learning_rate = 1e-3;
  double momentum = 0.9;
  double weight_decay = 0.0;
  std::string schedule = "step";    // step | cosine | constant
  int step_epochs = 20;
  double gamma = 0.2;
  // [train]
  int epochs = 80;
  int batch_size = 128;
  uint64_t seed = 1;
  int loader_threads = 2;
  int torch_threads = 0;            // 0 = the CPUs this process may use (affinity, cgroup quota)
  std::string best_metric = "mae";  // mae | ca3
  int64_t max_batches_per_epoch = 0;  // 0 = all
  // Also write last.safetensors inside an epoch this often (and at Ctrl-C / SIGTERM), so
  // a killed run loses at most these minutes, not an epoch. 0 = at epoch ends only.
  double checkpoint_minutes = 10;
  std::string output_dir = "runs/default";
  std::string device = "auto";      // auto | cpu | cuda
  // Data-parallel runs (train --nproc, torchrun): batch norm statistics over the batches of
  // all processes, so N processes train exactly as one with N times the batch.
  bool sync_batchnorm = false;
  // Activation layout: channels-last (NHWC) convolves without per-call reorders on CPUs
  // (docs/performance.md); contiguous is NCHW. auto = channels-last on CPU.
  std::string memory_format = "auto";  // auto | channels-last | contiguous
};

// A set's name when the configuration gives none: the folder's name, or the file's
// without its extension ("utkface" for ../data/utkface, "rows" for runs/aaf/rows.csv).
std::string default_set_name(const std::string& path);

// The datasets a run trains on: config.sets, or the one set [data] describes.
std::vector<DatasetConfig> training_sets(const TrainConfig& config);

// The defaults as nested JSON ({"model": {...}, "data": {...}, ...}).
nlohmann::json default_config_json();

nlohmann::json to_json(const TrainConfig& config);
nlohmann::json to_json(const DatasetConfig& set);
// Throws faceage::Error naming `source` and the key for unknown keys or wrong types.
TrainConfig config_from_json(const nlohmann::json& json, const std::string& source);

// Reads a TOML file (an empty path gives the defaults) and applies overrides of the form
// "section.key=value", each parsed as the type of that key. A file may begin with
// `extends = "base.toml"` (relative to its own folder): it then holds only the keys it
// changes, and those replace the base's (a [[data.sets]] list replaces the whole list).
TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides);

// The same for TOML text already in memory; `source` names it in errors. Such text cannot
// extend a file.
TrainConfig parse_train_config(const std::string& toml_text, const std::string& source,
                               const std::vector<std::string>& overrides = {});

}  // namespace faceage
