#pragma once
// Finding a network's parts by their state-dict names (the names its weights are stored
// and loaded under, so they are stable), with a one-line error naming the path and what
// was expected when a module is missing or of another kind.
#include <memory>
#include <set>
#include <string>

#include <torch/torch.h>

#include "faceage/core/error.h"

namespace faceage::onnx_export {

// "layer1" + "0" -> "layer1.0"; "" + "conv1" -> "conv1".
inline std::string join_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

// The child `name` of `parent`, or nullptr.
inline std::shared_ptr<torch::nn::Module> find_child(const torch::nn::Module& parent,
                                                     const std::string& name) {
  for (const auto& item : parent.named_children())
    if (item.key() == name) return item.value();
  return nullptr;
}

// The child `name` of `parent` (at `parent_path`) as module type T (e.g.
// torch::nn::Conv2dImpl); nullptr when absent and optional, else an error.
template <typename T>
const T* child_as(const torch::nn::Module& parent, const std::string& parent_path,
                  const std::string& name, bool optional = false) {
  const std::shared_ptr<torch::nn::Module> child = find_child(parent, name);
  if (!child) {
    if (optional) return nullptr;
    fail("unsupported network structure: '{}' has no module '{}'", parent_path, name);
  }
  const T* typed = child->as<T>();
  if (!typed)
    fail("unsupported layer '{}' ({}) where the ONNX export expects {}",
         join_path(parent_path, name), child->name(), c10::demangle(typeid(T).name()));
  return typed;
}

// Fails naming the first child of `module` whose name is not in `known`: a part the
// emitter would otherwise leave out of the graph silently.
inline void check_known_children(const torch::nn::Module& module, const std::string& path,
                                 const std::set<std::string>& known) {
  for (const auto& item : module.named_children())
    if (!known.count(item.key()))
      fail("unsupported layer '{}' ({}): the ONNX export does not know this part of the block",
           join_path(path, item.key()), item.value()->name());
}

}  // namespace faceage::onnx_export
