#include "faceage/model/label_distribution.h"

#include "faceage/core/error.h"

namespace faceage {

torch::Tensor age_classes(int64_t num_ages, const torch::TensorOptions& options) {
  return torch::arange(num_ages, options.dtype(torch::kFloat32));
}

torch::Tensor gaussian_label_distribution(const torch::Tensor& ages, double sigma,
                                          int64_t num_ages) {
  if (sigma <= 0) fail("label distribution: sigma must be positive, got {}", sigma);
  const torch::Tensor mean = ages.to(torch::kFloat32).reshape({-1, 1});
  const torch::Tensor classes = age_classes(num_ages, mean.options()).unsqueeze(0);
  // The constant 1/(σ√2π) of eq. 1 cancels in the normalisation; far ages underflow to 0.
  const torch::Tensor density = torch::exp(-(classes - mean).pow(2) / (2.0 * sigma * sigma));
  return density / density.sum(1, /*keepdim=*/true);
}

torch::Tensor expected_age(const torch::Tensor& probabilities) {
  const torch::Tensor classes = age_classes(probabilities.size(1), probabilities.options());
  return torch::matmul(probabilities, classes);
}

torch::Tensor age_standard_deviation(const torch::Tensor& probabilities) {
  const torch::Tensor classes = age_classes(probabilities.size(1), probabilities.options());
  const torch::Tensor mean = torch::matmul(probabilities, classes).unsqueeze(1);
  const torch::Tensor variance = (probabilities * (classes.unsqueeze(0) - mean).pow(2)).sum(1);
  return variance.clamp_min(0).sqrt();
}

torch::Tensor age_interval(const torch::Tensor& probabilities, double mass) {
  if (mass <= 0 || mass >= 1) fail("age interval: mass must be in (0, 1), got {}", mass);
  const torch::Tensor cumulative = probabilities.cumsum(1);
  const double tail = (1.0 - mass) / 2.0;
  // First age whose cumulative probability reaches the lower and the upper tail.
  const torch::Tensor low = (cumulative < tail).sum(1);
  const torch::Tensor high = (cumulative < 1.0 - tail).sum(1);
  const int64_t last = probabilities.size(1) - 1;
  return torch::stack({low.clamp_max(last), high.clamp_max(last)}, 1).to(torch::kFloat32);
}

torch::Tensor argmax_age(const torch::Tensor& logits) {
  return logits.argmax(1).to(torch::kFloat32);
}

}  // namespace faceage
