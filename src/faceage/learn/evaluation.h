#pragma once
// Runs a network over every batch of a source and collects what reports need.
#include <vector>

#include <torch/torch.h>

#include "faceage/core/device.h"
#include "faceage/learn/batch_source.h"
#include "faceage/learn/losses.h"
#include "faceage/nn/age_net.h"

namespace faceage {

struct Predictions {
  std::vector<double> predicted_age, true_age, age_spread;  // years
  std::vector<int> true_gender, predicted_gender;           // -1 unknown / no head
  std::vector<int> true_ethnicity, predicted_ethnicity;
  std::vector<size_t> sample_indices;
  double mean_loss = 0;  // the training objective, averaged over batches
};

// flip_average: each image's prediction is averaged with its mirror's (nn/flip_average.h).
Predictions evaluate(AgeNet& network, BatchSource& source, int epoch,
                     const LossOptions& loss_options, const torch::Device& device,
                     bool flip_average = false);

}  // namespace faceage
