#pragma once
// Optimiser and learning-rate schedule of a training run (paper §4: Adam 1e-3, ×0.2
// every 20 epochs), and their state as named tensors so a checkpoint can hold them.
#include <memory>

#include <torch/torch.h>

#include "faceage/io/safetensors.h"
#include "faceage/learn/train_config.h"

namespace faceage {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& model,
                                                        const TrainConfig& config);

// Learning rate for a 0-based epoch: step (×gamma every step_epochs), cosine (to 0 at the
// last epoch) or constant.
double learning_rate_at(const TrainConfig& config, int epoch);

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate);

// Per-parameter optimiser state (Adam moments and step, SGD momentum) under
// "optimizer.<parameter name>.<field>" names, and back.
TensorMap optimizer_state(const torch::optim::Optimizer& optimizer,
                          const torch::nn::Module& model);
void load_optimizer_state(torch::optim::Optimizer& optimizer, const torch::nn::Module& model,
                          const TensorMap& state, const std::string& source);

}  // namespace faceage
