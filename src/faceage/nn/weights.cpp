#include "faceage/nn/weights.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "faceage/core/error.h"

namespace faceage::nn {
namespace {

constexpr size_t kKeysShown = 8;  // per kind in a summary: enough to see the pattern

bool is_batch_norm_counter(const std::string& key) {
  const std::string suffix = "num_batches_tracked";
  return key.size() >= suffix.size() &&
         key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <typename T, typename Format>
std::string list_some(const std::vector<T>& items, Format format) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < items.size() && i < kKeysShown; ++i) shown.push_back(format(items[i]));
  std::string text = fmt::format("{}", fmt::join(shown, ", "));
  if (items.size() > kKeysShown) text += fmt::format(", and {} more", items.size() - kKeysShown);
  return text;
}

// Named parameters and buffers; undefined tensors (e.g. a convolution without bias)
// are not part of a state dict.
TensorMap named_tensors(const torch::nn::Module& module) {
  TensorMap tensors;
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    if (item.value().defined()) tensors.emplace(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true))
    if (item.value().defined()) tensors.emplace(item.key(), item.value());
  return tensors;
}

}  // namespace

std::string LoadReport::summary() const {
  if (complete()) return "complete";
  std::vector<std::string> parts;
  const auto key = [](const std::string& k) { return k; };
  if (!missing.empty())
    parts.push_back(fmt::format("{} missing ({})", missing.size(), list_some(missing, key)));
  if (!unexpected.empty())
    parts.push_back(
        fmt::format("{} unexpected ({})", unexpected.size(), list_some(unexpected, key)));
  if (!mismatched.empty())
    parts.push_back(fmt::format(
        "{} shape mismatch{} ({})", mismatched.size(), mismatched.size() == 1 ? "" : "es",
        list_some(mismatched, [](const ShapeMismatch& m) {
          return fmt::format("{}: file [{}], model [{}]", m.key, fmt::join(m.file_shape, ", "),
                             fmt::join(m.model_shape, ", "));
        })));
  return fmt::format("{}", fmt::join(parts, "; "));
}

TensorMap state_dict(const torch::nn::Module& module) {
  TensorMap tensors = named_tensors(module);
  for (auto& [name, tensor] : tensors) tensor = tensor.detach();
  return tensors;
}

LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& tensors,
                           bool allow_partial, const std::string& source) {
  const TensorMap targets = named_tensors(module);
  LoadReport report;
  for (const auto& [key, target] : targets) {
    const auto found = tensors.find(key);
    if (found == tensors.end()) {
      (is_batch_norm_counter(key) ? report.defaulted : report.missing).push_back(key);
    } else if (!found->second.defined() || found->second.sizes() != target.sizes()) {
      const auto file_shape =
          found->second.defined() ? found->second.sizes().vec() : std::vector<int64_t>{};
      report.mismatched.push_back({key, file_shape, target.sizes().vec()});
    }
  }
  for (const auto& [key, tensor] : tensors)
    if (targets.count(key) == 0) report.unexpected.push_back(key);

  // Check everything before copying anything, so a failed strict load changes nothing.
  if (!allow_partial && !report.complete())
    fail("{}: weights do not match the model: {}", source, report.summary());

  std::set<std::string> skip;
  for (const auto& m : report.mismatched) skip.insert(m.key);
  torch::NoGradGuard no_grad;
  for (const auto& [key, target] : targets) {
    const auto found = tensors.find(key);
    if (found == tensors.end() || skip.count(key)) continue;
    target.copy_(found->second);  // converts dtype and device
    report.loaded.push_back(key);
  }
  return report;
}

void save_weights(const std::string& path, const torch::nn::Module& module,
                  const Metadata& metadata) {
  write_safetensors(path, state_dict(module), metadata);
}

LoadReport load_weights(const std::string& path, torch::nn::Module& module, bool allow_partial) {
  return load_state_dict(module, read_safetensors(path).tensors, allow_partial, path);
}

}  // namespace faceage::nn
