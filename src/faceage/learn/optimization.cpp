#include "faceage/learn/optimization.h"

#include <cmath>

#include "faceage/core/error.h"
#include "faceage/learn/fused_adam.h"
#include "faceage/learn/optimizer_state_key.h"

namespace faceage {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& model,
                                                        const TrainConfig& config) {
  if (config.optimizer == "sgd")
    return std::make_unique<torch::optim::SGD>(
        model.parameters(), torch::optim::SGDOptions(config.learning_rate)
                                .momentum(config.momentum)
                                .weight_decay(config.weight_decay));
  if (config.optimizer == "adam")
    return std::make_unique<FusedAdam>(
        model.parameters(),
        torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  fail("optim.optimizer '{}' is unknown (expected adam or sgd)", config.optimizer);
}

double learning_rate_at(const TrainConfig& config, int epoch) {
  if (config.schedule == "step")
    return config.learning_rate * std::pow(config.gamma, epoch / std::max(1, config.step_epochs));
  if (config.schedule == "cosine")
    return 0.5 * config.learning_rate * (1.0 + std::cos(M_PI * epoch / config.epochs));
  return config.learning_rate;
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(learning_rate);
}

TensorMap optimizer_state(const torch::optim::Optimizer& optimizer,
                          const torch::nn::Module& model) {
  TensorMap out;
  const auto& states = optimizer.state();
  for (const auto& item : model.named_parameters()) {
    const auto found = states.find(optimizer_state_key(states, item.value()));
    if (found == states.end()) continue;  // never stepped
    const std::string prefix = "optimizer." + item.key() + ".";
    if (const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(found->second.get())) {
      out[prefix + "step"] = torch::tensor(adam->step(), torch::kInt64);
      out[prefix + "exp_avg"] = adam->exp_avg();
      out[prefix + "exp_avg_sq"] = adam->exp_avg_sq();
    } else if (const auto* sgd =
                   dynamic_cast<const torch::optim::SGDParamState*>(found->second.get())) {
      out[prefix + "momentum_buffer"] = sgd->momentum_buffer();
    }
  }
  return out;
}

void load_optimizer_state(torch::optim::Optimizer& optimizer, const torch::nn::Module& model,
                          const TensorMap& state, const std::string& source) {
  auto& states = optimizer.state();
  const bool is_adam = dynamic_cast<torch::optim::Adam*>(&optimizer) != nullptr;
  for (const auto& item : model.named_parameters()) {
    const std::string prefix = "optimizer." + item.key() + ".";
    const torch::Tensor& parameter = item.value();
    auto tensor = [&](const std::string& field) -> torch::Tensor {
      const auto found = state.find(prefix + field);
      if (found == state.end()) fail("{}: optimizer state lacks '{}{}'", source, prefix, field);
      if (field != "step" && found->second.sizes() != parameter.sizes())
        fail("{}: optimizer state '{}{}' has the wrong shape for this model", source, prefix, field);
      return found->second.to(parameter.options()).clone();
    };
    if (is_adam) {
      if (!state.count(prefix + "step")) continue;  // this parameter was never stepped
      auto adam = std::make_unique<torch::optim::AdamParamState>();
      adam->step(state.at(prefix + "step").item<int64_t>());
      adam->exp_avg(tensor("exp_avg"));
      adam->exp_avg_sq(tensor("exp_avg_sq"));
      states[optimizer_state_key(states, parameter)] = std::move(adam);
    } else {
      if (!state.count(prefix + "momentum_buffer")) continue;
      auto sgd = std::make_unique<torch::optim::SGDParamState>();
      sgd->momentum_buffer(tensor("momentum_buffer"));
      states[optimizer_state_key(states, parameter)] = std::move(sgd);
    }
  }
}

}  // namespace faceage
