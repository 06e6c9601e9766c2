#pragma once
// Everything a training run depends on, read from a TOML file plus `--set key=value`
// overrides. The defaults double as the schema: an unknown key or a value of the wrong
// type is an error that names the key and the file.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/data/augmentation.h"

namespace faceage {

struct TrainConfig {
  // [model]
  std::string architecture = "resnet18";
  int input_size = 112;
  bool multitask = false;
  std::string formulation = "ldl";  // classification | ldl
  double sigma = 2.0;
  double lambda = 1.0;
  std::string pretrained;           // safetensors file; "" = from scratch
  // [data]
  std::string dataset_format = "utkface";  // csv | utkface | megaage | morph | fgnet
  std::string dataset_path;
  std::string image_root;                  // for CSV paths; "" = the CSV's folder
  std::string split = "random";            // random | subject | given
  std::string validation_path;             // a separate validation set: no split then
  double validation_fraction = 0.1;
  double test_fraction = 0.1;
  int64_t max_samples = 0;                 // 0 = all; else a seeded subset (quick runs)
  double margin = 0.0;
  bool align = false;
  bool skip_malformed = true;
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
  int torch_threads = 0;            // 0 = every logical CPU
  std::string best_metric = "mae";  // mae | ca3
  int64_t max_batches_per_epoch = 0;  // 0 = all
  std::string output_dir = "runs/default";
  std::string device = "auto";      // auto | cpu | cuda
  // Data-parallel runs (train --nproc, torchrun): batch norm statistics over the batches of
  // all processes, so N processes train exactly as one with N times the batch.
  bool sync_batchnorm = false;
  // Activation layout: channels-last (NHWC) convolves without per-call reorders on CPUs
  // (docs/performance.md); contiguous is NCHW. auto = channels-last on CPU.
  std::string memory_format = "auto";  // auto | channels-last | contiguous
};

// The defaults as nested JSON ({"model": {...}, "data": {...}, ...}).
nlohmann::json default_config_json();

nlohmann::json to_json(const TrainConfig& config);
// Throws faceage::Error naming `source` and the key for unknown keys or wrong types.
TrainConfig config_from_json(const nlohmann::json& json, const std::string& source);

// Reads a TOML file (an empty path gives the defaults) and applies overrides of the form
// "section.key=value", each parsed as the type of that key.
TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides);

// The same for TOML text already in memory; `source` names it in errors.
TrainConfig parse_train_config(const std::string& toml_text, const std::string& source,
                               const std::vector<std::string>& overrides = {});

}  // namespace faceage
