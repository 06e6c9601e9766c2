#pragma once
// Helpers the network tests share. Header-only: tests/support is linked into test
// executables (the sanitizer stage's) that do not link the nn and parallel stages.
#include <torch/torch.h>

#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::testing {

// Every batch norm of `network` moved away from its unit/zero start (weight and running
// variance in [0.5, 1.5], bias and running mean in [-0.2, 0.2]), so that folding them into
// the convolutions changes the weights, as in a trained network.
inline void randomize_batch_norms(torch::nn::Module& network) {
  torch::NoGradGuard no_grad;
  for (const auto& module : network.modules())
    if (auto* bn = module->as<nn::SyncableBatchNorm2dImpl>()) {
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.uniform_(-0.2, 0.2);
      bn->running_mean.uniform_(-0.2, 0.2);
      bn->running_var.uniform_(0.5, 1.5);
    }
}

}  // namespace faceage::testing
