#include "faceage/learn/weight_averaging.h"

#include "faceage/core/error.h"
#include "faceage/nn/weights.h"

namespace faceage {

namespace {

// What must match for weights to be averaged name by name.
std::string network_shape(const ModelSpec& spec) {
  const AgeNetOptions& n = spec.network;
  return fmt::format("{}, {} ages, {}", n.architecture, n.num_ages,
                     n.multitask ? fmt::format("{} genders, {} ethnicities", n.num_genders,
                                               n.num_ethnicities)
                                 : std::string("no extra heads"));
}

}  // namespace

void average_weights(LoadedModel& model, const std::vector<std::string>& others) {
  if (others.empty()) return;
  torch::NoGradGuard no_grad;
  TensorMap sum;
  for (const auto& [name, tensor] : nn::state_dict(*model.network))
    sum[name] = tensor.is_floating_point() ? tensor.to(torch::kDouble) : tensor.clone();
  for (const std::string& path : others) {
    const LoadedModel other = load_model(path);
    if (network_shape(other.spec) != network_shape(model.spec))
      fail("{}: cannot average a {} with a {}", path, network_shape(other.spec),
           network_shape(model.spec));
    for (const auto& [name, tensor] : nn::state_dict(*other.network))
      if (tensor.is_floating_point()) sum.at(name) += tensor.to(torch::kDouble);
  }
  const double count = static_cast<double>(others.size() + 1);
  TensorMap mean;
  for (auto& [name, tensor] : sum)
    mean[name] = tensor.is_floating_point() ? (tensor / count).to(torch::kFloat) : tensor;
  nn::load_state_dict(*model.network, mean, /*allow_partial=*/false, "averaged weights");
}

}  // namespace faceage
