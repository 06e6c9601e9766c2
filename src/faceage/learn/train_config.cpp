#include "faceage/learn/train_config.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <limits>
#include <type_traits>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/nn/input_requirements.h"

namespace faceage {
namespace {

using json = nlohmann::json;

// One table per TOML section; FIELD lists name the member, its section and key.
#define FACEAGE_CONFIG_FIELDS(FIELD)                                                       \
  FIELD(architecture, "model", "architecture")                                            \
  FIELD(preprocessing.input_size, "model", "input_size")                                  \
  FIELD(multitask, "model", "multitask")                                                  \
  FIELD(formulation, "model", "formulation")                                              \
  FIELD(sigma, "model", "sigma")                                                          \
  FIELD(lambda, "model", "lambda")                                                        \
  FIELD(pretrained, "model", "pretrained")                                                \
  FIELD(recalibrate_batch_norm, "model", "recalibrate_batch_norm")                        \
  FIELD(dataset_format, "data", "format")                                                 \
  FIELD(dataset_path, "data", "path")                                                     \
  FIELD(image_root, "data", "image_root")                                                 \
  FIELD(split, "data", "split")                                                           \
  FIELD(validation_path, "data", "validation_path")                                       \
  FIELD(validation_fraction, "data", "validation_fraction")                               \
  FIELD(test_fraction, "data", "test_fraction")                                           \
  FIELD(max_samples, "data", "max_samples")                                               \
  FIELD(preprocessing.margin, "data", "margin")                                           \
  FIELD(preprocessing.align, "data", "align")                                             \
  FIELD(skip_malformed, "data", "skip_malformed")                                         \
  FIELD(augment, "augment", "enabled")                                                    \
  FIELD(augmentation.flip_probability, "augment", "flip_probability")                      \
  FIELD(augmentation.hsv_probability, "augment", "hsv_probability")                        \
  FIELD(augmentation.hue_shift_limit, "augment", "hue_shift_limit")                        \
  FIELD(augmentation.saturation_shift_limit, "augment", "saturation_shift_limit")          \
  FIELD(augmentation.value_shift_limit, "augment", "value_shift_limit")                    \
  FIELD(augmentation.gamma_probability, "augment", "gamma_probability")                    \
  FIELD(augmentation.gamma_min, "augment", "gamma_min")                                    \
  FIELD(augmentation.gamma_max, "augment", "gamma_max")                                    \
  FIELD(augmentation.brightness_contrast_probability, "augment",                           \
        "brightness_contrast_probability")                                                 \
  FIELD(augmentation.brightness_limit, "augment", "brightness_limit")                      \
  FIELD(augmentation.contrast_limit, "augment", "contrast_limit")                          \
  FIELD(augmentation.shift_scale_rotate_probability, "augment",                            \
        "shift_scale_rotate_probability")                                                  \
  FIELD(augmentation.shift_limit, "augment", "shift_limit")                                \
  FIELD(augmentation.scale_limit, "augment", "scale_limit")                                \
  FIELD(augmentation.rotate_limit, "augment", "rotate_limit")                              \
  FIELD(optimizer, "optim", "optimizer")                                                  \
  FIELD(learning_rate, "optim", "learning_rate")                                          \
  FIELD(momentum, "optim", "momentum")                                                    \
  FIELD(weight_decay, "optim", "weight_decay")                                            \
  FIELD(schedule, "optim", "schedule")                                                    \
  FIELD(step_epochs, "optim", "step_epochs")                                              \
  FIELD(gamma, "optim", "gamma")                                                          \
  FIELD(epochs, "train", "epochs")                                                        \
  FIELD(batch_size, "train", "batch_size")                                                \
  FIELD(seed, "train", "seed")                                                            \
  FIELD(loader_threads, "train", "loader_threads")                                        \
  FIELD(torch_threads, "train", "torch_threads")                                          \
  FIELD(best_metric, "train", "best_metric")                                              \
  FIELD(max_batches_per_epoch, "train", "max_batches_per_epoch")                          \
  FIELD(checkpoint_minutes, "train", "checkpoint_minutes")                                \
  FIELD(output_dir, "train", "output_dir")                                                \
  FIELD(device, "train", "device")                                                        \
  FIELD(sync_batchnorm, "train", "sync_batchnorm")                                        \
  FIELD(memory_format, "train", "memory_format")

// The keys of one [[data.sets]] table; each is also a [data] key except name, weight, seed.
#define FACEAGE_SET_FIELDS(FIELD)                                                          \
  FIELD(name) FIELD(format) FIELD(path) FIELD(image_root) FIELD(split) FIELD(validation_path) \
  FIELD(validation_fraction) FIELD(test_fraction) FIELD(max_samples) FIELD(weight) FIELD(seed)

bool same_kind(const json& value, const json& schema) {
  if (schema.is_boolean()) return value.is_boolean();
  if (schema.is_number_integer()) return value.is_number_integer();
  // nan and inf pass every range check below, and JSON (a checkpoint's copy) cannot hold them.
  if (schema.is_number()) return value.is_number() && std::isfinite(value.get<double>());
  if (schema.is_string()) return value.is_string();
  return false;
}

const char* kind_name(const json& schema) {
  if (schema.is_boolean()) return "true or false";
  if (schema.is_number_integer()) return "an integer";
  if (schema.is_number()) return "a number";
  return "a string";
}

// An integer of the config's JSON (int64 or uint64) as the member's narrower type; a value
// that does not fit is an error, not silently wrapped (epochs = 4294967297 is not 1).
template <typename T>
T checked_value(const json& value, const std::string& source, const char* section,
                const char* key) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    bool fits;
    if (value.is_number_unsigned()) {
      fits = value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    } else {
      const int64_t v = value.get<int64_t>();
      fits = std::is_signed_v<T> ? v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                       v <= static_cast<int64_t>(std::numeric_limits<T>::max())
                                 : v >= 0;
    }
    if (!fits) fail("{}: {}.{} = {} is out of range", source, section, key, value.dump());
  }
  return value.get<T>();
}

// "[[data.sets]] #2 (allagefaces)": how errors name a set, by its place and name or path.
std::string set_label(size_t index, const json& table) {
  std::string label = fmt::format("[[data.sets]] #{}", index + 1);
  for (const char* key : {"name", "path"})
    if (table.is_object() && table.contains(key) && table[key].is_string() &&
        !table[key].get<std::string>().empty())
      return label + " (" + table[key].get<std::string>() + ")";
  return label;
}

void check_sets_against_schema(const json& sets, const std::string& source) {
  if (!sets.is_array()) fail("{}: data.sets must be a list of tables ([[data.sets]])", source);
  const json schema = to_json(DatasetConfig{});
  for (size_t i = 0; i < sets.size(); ++i) {
    const std::string label = set_label(i, sets[i]);
    if (!sets[i].is_object()) fail("{}: {} is not a table", source, label);
    for (const auto& [key, value] : sets[i].items()) {
      if (!schema.contains(key)) fail("{}: {}: unknown key {}", source, label, key);
      if (!same_kind(value, schema[key]))
        fail("{}: {}: {} must be {}, got {}", source, label, key, kind_name(schema[key]),
             value.dump());
    }
  }
}

void check_against_schema(const json& config, const std::string& source) {
  const json schema = default_config_json();
  if (!config.is_object()) fail("{}: the configuration is not a table", source);
  for (const auto& [section, table] : config.items()) {
    if (!schema.contains(section))
      fail("{}: unknown section [{}] (known: model, data, augment, optim, train)", source, section);
    if (!table.is_object()) fail("{}: [{}] is not a table", source, section);
    for (const auto& [key, value] : table.items()) {
      if (!schema[section].contains(key)) fail("{}: unknown key {}.{}", source, section, key);
      if (schema[section][key].is_array()) {
        check_sets_against_schema(value, source);
        continue;
      }
      if (!same_kind(value, schema[section][key]))
        fail("{}: {}.{} must be {}, got {}", source, section, key, kind_name(schema[section][key]),
             value.dump());
    }
  }
}

void one_of(const std::string& source, const std::string& key, const std::string& value,
            std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (value == a) return;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  fail("{}: {} = '{}' is not one of {}", source, key, value, list);
}

constexpr std::initializer_list<const char*> kFormats = {"auto",    "csv",   "utkface",
                                                         "megaage", "morph", "fgnet"};

void check_fractions(const std::string& source, const std::string& prefix, double validation,
                     double test) {
  if (validation < 0 || test < 0 || validation + test >= 1)
    fail("{}: {}validation_fraction + {}test_fraction must be in [0, 1)", source, prefix, prefix);
}

// check_preprocessing's message with the configuration's key names.
void check_preprocessing_keys(const Preprocessing& preprocessing, const std::string& source) {
  try {
    check_preprocessing(preprocessing);
  } catch (const Error& e) {
    std::string message = e.what();
    for (const auto& [field, key] : {std::pair{"preprocessing.input_size", "model.input_size"},
                                     std::pair{"preprocessing.margin", "data.margin"}})
      if (message.rfind(field, 0) == 0) message = key + message.substr(std::strlen(field));
    fail("{}: {}", source, message);
  }
}

void check_values(const TrainConfig& c, const std::string& source) {
  one_of(source, "model.formulation", c.formulation, {"classification", "ldl"});
  one_of(source, "data.format", c.dataset_format, kFormats);
  one_of(source, "data.split", c.split, {"random", "subject", "given"});
  one_of(source, "optim.optimizer", c.optimizer, {"adam", "sgd"});
  one_of(source, "optim.schedule", c.schedule, {"step", "cosine", "constant"});
  one_of(source, "train.best_metric", c.best_metric, {"mae", "ca3"});
  one_of(source, "train.device", c.device, {"auto", "cpu", "cuda"});
  one_of(source, "train.memory_format", c.memory_format, {"auto", "channels-last", "contiguous"});
  check_preprocessing_keys(c.preprocessing, source);
  if (c.preprocessing.input_size < minimum_input_size(c.architecture))
    fail("{}: model.input_size {} is below the {} px that {} needs", source,
         c.preprocessing.input_size, minimum_input_size(c.architecture), c.architecture);
  if (c.sigma <= 0) fail("{}: model.sigma must be positive", source);
  if (c.epochs < 1) fail("{}: train.epochs must be at least 1", source);
  if (c.batch_size < 1) fail("{}: train.batch_size must be at least 1", source);
  if (c.checkpoint_minutes < 0) fail("{}: train.checkpoint_minutes must be >= 0", source);
  if (c.learning_rate <= 0) fail("{}: optim.learning_rate must be positive", source);
  check_fractions(source, "data.", c.validation_fraction, c.test_fraction);
  try {
    check_augmentation(c.augmentation);
  } catch (const Error& e) {
    fail("{}: [augment] {}", source, e.what());
  }
}

// The set the [data] section describes (and the values a [[data.sets]] table inherits).
DatasetConfig set_from_data_section(const TrainConfig& c) {
  DatasetConfig set;
  set.name = default_set_name(c.dataset_path);
  set.format = c.dataset_format;
  set.path = c.dataset_path;
  set.image_root = c.image_root;
  set.split = c.split;
  set.validation_path = c.validation_path;
  set.validation_fraction = c.validation_fraction;
  set.test_fraction = c.test_fraction;
  set.max_samples = c.max_samples;
  set.seed = c.seed;
  return set;
}

// A [[data.sets]] table read over the values it inherits from [data] and train.seed.
DatasetConfig read_set(const json& table, const TrainConfig& c, size_t index,
                       const std::string& source) {
  DatasetConfig set = set_from_data_section(c);
  set.name.clear();
  set.path.clear();
  const std::string label = set_label(index, table);
  const std::string where = source + ": " + label;
#define FACEAGE_READ_SET(member)                                                   \
  if (table.contains(#member))                                                     \
    set.member = checked_value<decltype(set.member)>(table[#member], where, "set", #member);
  FACEAGE_SET_FIELDS(FACEAGE_READ_SET)
#undef FACEAGE_READ_SET
  if (set.path.empty()) fail("{}: path is not set (the dataset's folder or CSV)", where);
  if (set.name.empty()) set.name = default_set_name(set.path);
  if (set.name.empty()) fail("{}: name is empty and the path gives none", where);
  one_of(where, "format", set.format, kFormats);
  one_of(where, "split", set.split, {"random", "subject", "given"});
  check_fractions(where, "", set.validation_fraction, set.test_fraction);
  if (set.weight < 0) fail("{}: weight {} must be >= 0", where, set.weight);
  if (set.max_samples < 0) fail("{}: max_samples {} must be >= 0 (0 = all)", where, set.max_samples);
  return set;
}

std::vector<DatasetConfig> read_sets(const json& tables, const TrainConfig& c,
                                     const std::string& source) {
  std::vector<DatasetConfig> sets;
  std::set<std::string> names;
  for (size_t i = 0; i < tables.size(); ++i) {
    sets.push_back(read_set(tables[i], c, i, source));
    if (!names.insert(sets.back().name).second)
      fail("{}: {}: another set has the name '{}' (set name = \"...\")", source,
           set_label(i, tables[i]), sets.back().name);
  }
  if (!sets.empty() && !c.dataset_path.empty())
    fail("{}: data.path = '{}' and [[data.sets]] both name datasets: list it as a "
         "[[data.sets]] table too", source, c.dataset_path);
  return sets;
}

json toml_to_json(const toml::node& node) {
  if (const auto* table = node.as_table()) {
    json out = json::object();
    for (const auto& [key, value] : *table) out[std::string(key.str())] = toml_to_json(value);
    return out;
  }
  if (const auto* array = node.as_array()) {
    json out = json::array();
    for (const auto& value : *array) out.push_back(toml_to_json(value));
    return out;
  }
  if (auto v = node.value_exact<bool>()) return *v;
  if (auto v = node.value_exact<int64_t>()) return *v;
  if (auto v = node.value_exact<double>()) return *v;
  if (auto v = node.value_exact<std::string>()) return *v;
  return json(nullptr);  // dates and times: rejected by the schema check
}

// "train.epochs=3": the value is parsed as the type of the key's default.
void apply_override(json& config, const std::string& assignment) {
  const auto equals = assignment.find('=');
  const auto dot = assignment.find('.');
  if (equals == std::string::npos || dot == std::string::npos || dot > equals)
    fail("--set '{}': expected section.key=value", assignment);
  const std::string section = assignment.substr(0, dot);
  const std::string key = assignment.substr(dot + 1, equals - dot - 1);
  const std::string text = assignment.substr(equals + 1);
  const json schema = default_config_json();
  if (!schema.contains(section) || !schema[section].contains(key))
    fail("--set '{}': unknown key {}.{}", assignment, section, key);
  const json& kind = schema[section][key];
  if (kind.is_array())
    fail("--set '{}': {}.{} is a list of tables: write [[{}.{}]] tables in the configuration "
         "file", assignment, section, key, section, key);
  json value;
  try {
    if (kind.is_string()) {
      value = text;
    } else {
      size_t used = 0;
      if (kind.is_boolean()) {
        if (text != "true" && text != "false") throw std::invalid_argument(text);
        value = text == "true";
        used = text.size();
      } else if (kind.is_number_unsigned() || kind.is_number_integer()) {
        value = std::stoll(text, &used);
      } else {
        value = std::stod(text, &used);
      }
      if (used != text.size()) throw std::invalid_argument(text);
    }
  } catch (const std::exception&) {
    fail("--set '{}': {}.{} must be {}", assignment, section, key, kind_name(kind));
  }
  config[section][key] = value;
}

}  // namespace

json default_config_json() { return to_json(TrainConfig{}); }

std::string default_set_name(const std::string& path) {
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.has_extension() ? p.stem().string() : p.filename().string();
}


std::vector<DatasetConfig> training_sets(const TrainConfig& c) {
  if (!c.sets.empty()) return c.sets;
  return {set_from_data_section(c)};
}

json to_json(const DatasetConfig& set) {
  json out = json::object();
#define FACEAGE_WRITE_SET(member) out[#member] = set.member;
  FACEAGE_SET_FIELDS(FACEAGE_WRITE_SET)
#undef FACEAGE_WRITE_SET
  return out;
}

json to_json(const TrainConfig& c) {
  json out;
#define FACEAGE_WRITE(member, section, key) out[section][key] = c.member;
  FACEAGE_CONFIG_FIELDS(FACEAGE_WRITE)
#undef FACEAGE_WRITE
  out["data"]["sets"] = json::array();
  for (const DatasetConfig& set : c.sets) out["data"]["sets"].push_back(to_json(set));
  return out;
}

TrainConfig config_from_json(const json& config, const std::string& source) {
  check_against_schema(config, source);
  TrainConfig c;
#define FACEAGE_READ(member, section, key)                                 \
  if (config.contains(section) && config[section].contains(key))          \
    c.member = checked_value<decltype(c.member)>(config[section][key], source, section, key);
  FACEAGE_CONFIG_FIELDS(FACEAGE_READ)
#undef FACEAGE_READ
  const InputNormalization normalization = input_normalization(c.architecture);
  c.preprocessing.mean = normalization.mean;
  c.preprocessing.std = normalization.std;
  check_values(c, source);
  if (config.contains("data") && config["data"].contains("sets"))
    c.sets = read_sets(config["data"]["sets"], c, source);
  return c;
}

namespace {

json parse_toml_as_json(const std::string& toml_text, const std::string& source) {
  try {
    return toml_to_json(toml::parse(toml_text, source));
  } catch (const toml::parse_error& e) {
    fail("{}: line {}: {}", source, e.source().begin.line, e.description());
  }
}

// A file and the chain of files it extends, merged key by key: a key the file sets
// replaces the base's (a [[data.sets]] list replaces the whole list). Each file is checked
// against the schema on its own, so an error names the file that holds the key.
json read_config_chain(const std::filesystem::path& path, int depth) {
  constexpr int kMaxDepth = 8;
  const std::string source = path.string();
  json config = parse_toml_as_json(read_file_bytes(source), source);
  if (!config.contains("extends")) {
    check_against_schema(config, source);
    return config;
  }
  if (!config["extends"].is_string() || config["extends"].get<std::string>().empty())
    fail("{}: extends must name a configuration file", source);
  if (depth >= kMaxDepth)
    fail("{}: extends goes deeper than {} files (a cycle?)", source, kMaxDepth);
  const std::filesystem::path base = path.parent_path() / config["extends"].get<std::string>();
  if (!std::filesystem::is_regular_file(base))
    fail("{}: extends '{}': no such file ({})", source, config["extends"].get<std::string>(),
         base.string());
  config.erase("extends");
  check_against_schema(config, source);
  json merged = read_config_chain(base, depth + 1);
  for (const auto& [section, table] : config.items())
    for (const auto& [key, value] : table.items()) merged[section][key] = value;
  return merged;
}

TrainConfig resolve_config(json config, const std::string& source,
                           const std::vector<std::string>& overrides) {
  for (const std::string& assignment : overrides) apply_override(config, assignment);
  return config_from_json(config, source);
}

}  // namespace

TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return parse_train_config("", "configuration", overrides);
  return resolve_config(read_config_chain(path, 0), path, overrides);
}

TrainConfig parse_train_config(const std::string& toml_text, const std::string& source,
                               const std::vector<std::string>& overrides) {
  json config = parse_toml_as_json(toml_text, source);
  if (config.contains("extends"))
    fail("{}: extends is read only from a configuration file (load_train_config)", source);
  check_against_schema(config, source);
  return resolve_config(std::move(config), source, overrides);
}

}  // namespace faceage
