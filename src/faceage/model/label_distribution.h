#pragma once
// Label encoding and decoding for age as a distribution over ages 0..K-1
// (paper §3.2, DLDL-v2).
#include <torch/torch.h>

namespace faceage {

// Gaussian label distribution centred at each age (eq. 1), normalised to sum to 1
// over the K age classes. ages: [batch] (any numeric dtype) -> [batch, num_ages] float.
torch::Tensor gaussian_label_distribution(const torch::Tensor& ages, double sigma,
                                          int64_t num_ages);

// The age classes 0..K-1 as a float row, [num_ages].
torch::Tensor age_classes(int64_t num_ages, const torch::TensorOptions& options = {});

// Expected age of each predicted distribution (eq. 3): probabilities [batch, K] -> [batch].
torch::Tensor expected_age(const torch::Tensor& probabilities);

// Standard deviation of each predicted distribution, in years: [batch, K] -> [batch].
torch::Tensor age_standard_deviation(const torch::Tensor& probabilities);

// Central interval holding `mass` of each distribution (e.g. 0.9): [batch, 2] in years,
// computed from the cumulative distribution over the integer ages.
torch::Tensor age_interval(const torch::Tensor& probabilities, double mass);

// Classification decoding (paper §4.4.1): the most probable age class.
torch::Tensor argmax_age(const torch::Tensor& logits);

}  // namespace faceage
