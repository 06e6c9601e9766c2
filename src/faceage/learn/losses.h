#pragma once
// Training objectives: LDL (paper §3.2, eq. 4), classification (§4.4.1) and the
// multi-task sum (§4.6).
#include <string>

#include <torch/torch.h>

#include "faceage/model/formulation.h"
#include "faceage/nn/age_net.h"

namespace faceage {

struct LossOptions {
  Formulation formulation = Formulation::kLdl;
  double sigma = 2.0;   // width of the Gaussian label (paper §4.4.2)
  double lambda = 1.0;  // weight of the L1 term (eq. 4)
};

// Each term kept apart for logging; `total` is what is minimised.
struct LossTerms {
  torch::Tensor total;
  torch::Tensor age;        // KL + λ·L1, or cross-entropy
  torch::Tensor kl;         // undefined for classification
  torch::Tensor l1;         // undefined for classification
  torch::Tensor gender;     // undefined unless multi-task
  torch::Tensor ethnicity;  // undefined unless multi-task
};

// KL(d || softmax(logits)) averaged over the batch (PyTorch's "batchmean") plus
// λ·mean|E[age] − age|. ages: [batch] in years.
LossTerms ldl_loss(const torch::Tensor& age_logits, const torch::Tensor& ages,
                   double sigma, double lambda);

// Cross-entropy against the age rounded to the nearest class, clamped to 0..K-1.
LossTerms classification_loss(const torch::Tensor& age_logits, const torch::Tensor& ages);

// The age loss of the chosen formulation, plus the gender and ethnicity cross-entropies
// when the network has those heads. Samples whose gender or ethnicity label is negative
// (unknown) are left out of that head's term.
LossTerms age_net_loss(const AgeNetOutput& output, const torch::Tensor& ages,
                       const torch::Tensor& genders, const torch::Tensor& ethnicities,
                       const LossOptions& options);

}  // namespace faceage
