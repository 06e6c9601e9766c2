#include "faceage/model/formulation.h"

#include "faceage/core/error.h"
#include "faceage/model/label_distribution.h"

namespace faceage {

Formulation parse_formulation(const std::string& name) {
  if (name == "classification") return Formulation::kClassification;
  if (name == "ldl") return Formulation::kLdl;
  fail("formulation '{}' is unknown (expected classification or ldl)", name);
}

std::string formulation_name(Formulation formulation) {
  return formulation == Formulation::kLdl ? "ldl" : "classification";
}

torch::Tensor predicted_age(const torch::Tensor& age_logits, Formulation formulation) {
  if (formulation == Formulation::kClassification) return argmax_age(age_logits);
  return expected_age(torch::softmax(age_logits, 1));
}

}  // namespace faceage
