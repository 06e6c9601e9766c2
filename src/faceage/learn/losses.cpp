#include "faceage/learn/losses.h"

#include "faceage/core/error.h"
#include "faceage/model/label_distribution.h"

namespace faceage {

LossTerms ldl_loss(const torch::Tensor& age_logits, const torch::Tensor& ages, double sigma,
                   double lambda) {
  const int64_t batch = age_logits.size(0);
  const torch::Tensor target = gaussian_label_distribution(ages, sigma, age_logits.size(1))
                                   .to(age_logits.device());
  const torch::Tensor log_predicted = torch::log_softmax(age_logits, 1);
  // Σ d·(ln d − ln d̂); xlogy makes the terms with d = 0 exactly 0.
  LossTerms terms;
  terms.kl = (torch::xlogy(target, target) - target * log_predicted).sum() / batch;
  const torch::Tensor expected = expected_age(log_predicted.exp());
  terms.l1 = (expected - ages.to(expected.options())).abs().mean();
  terms.age = terms.kl + lambda * terms.l1;
  terms.total = terms.age;
  return terms;
}

LossTerms classification_loss(const torch::Tensor& age_logits, const torch::Tensor& ages) {
  const torch::Tensor classes =
      ages.to(torch::kFloat32).round().clamp(0, age_logits.size(1) - 1).to(torch::kLong);
  LossTerms terms;
  terms.age = torch::nn::functional::cross_entropy(age_logits, classes.to(age_logits.device()));
  terms.total = terms.age;
  return terms;
}

namespace {

// Cross-entropy over the samples whose label is known (>= 0); zero when none is.
torch::Tensor known_label_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const torch::Tensor target = labels.to(logits.device()).to(torch::kLong);
  const torch::Tensor known = target >= 0;
  if (known.sum().item<int64_t>() == 0) return logits.sum() * 0.0;
  return torch::nn::functional::cross_entropy(logits.index({known}), target.index({known}));
}

}  // namespace

LossTerms age_net_loss(const AgeNetOutput& output, const torch::Tensor& ages,
                       const torch::Tensor& genders, const torch::Tensor& ethnicities,
                       const LossOptions& options) {
  LossTerms terms = options.formulation == Formulation::kLdl
                        ? ldl_loss(output.age_logits, ages, options.sigma, options.lambda)
                        : classification_loss(output.age_logits, ages);
  if (output.gender_logits.defined()) {
    terms.gender = known_label_cross_entropy(output.gender_logits, genders);
    terms.total = terms.total + terms.gender;
  }
  if (output.ethnicity_logits.defined()) {
    terms.ethnicity = known_label_cross_entropy(output.ethnicity_logits, ethnicities);
    terms.total = terms.total + terms.ethnicity;
  }
  return terms;
}

}  // namespace faceage
