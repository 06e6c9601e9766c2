#include "faceage/nn/flip_average.h"

#include <cmath>

#include "faceage/nn/inference_optimization.h"

namespace faceage {

namespace {

// log of the mean of two softmax distributions, computed in log space so that tiny
// probabilities do not underflow to log(0).
torch::Tensor mean_distribution_logits(const torch::Tensor& a, const torch::Tensor& b) {
  return torch::logaddexp(torch::log_softmax(a, 1), torch::log_softmax(b, 1)) - std::log(2.0);
}

// forward() in the network's inference plan, with float logits out.
AgeNetOutput planned_forward(AgeNet& network, const torch::Tensor& images) {
  const InferencePlan& plan = network.inference_plan();
  if (!plan.optimized()) return network.forward(images);
  AgeNetOutput output = network.forward(to_network_input(images, plan));
  for (torch::Tensor* logits :
       {&output.age_logits, &output.gender_logits, &output.ethnicity_logits})
    if (logits->defined()) *logits = logits->to(torch::kFloat);
  return output;
}

}  // namespace

AgeNetOutput forward_for_inference(AgeNet& network, const torch::Tensor& images,
                                   bool flip_average) {
  if (!flip_average) return planned_forward(network, images);
  const int64_t n = images.size(0);
  // One forward pass over both halves: a bigger batch uses the cores better than two.
  const AgeNetOutput both = planned_forward(network, torch::cat({images, images.flip({3})}, 0));
  const auto average = [n](const torch::Tensor& logits) {
    if (!logits.defined()) return logits;
    return mean_distribution_logits(logits.slice(0, 0, n), logits.slice(0, n, 2 * n));
  };
  return {average(both.age_logits), average(both.gender_logits), average(both.ethnicity_logits)};
}

}  // namespace faceage
