#pragma once
// How a model's 101 age outputs are read (paper §4.4): as a classification (the argmax
// class is the age, §4.4.1) or as a label distribution (the expectation is the age,
// §4.4.2). Part of what a trained model is: training picks it, prediction reads by it.
#include <string>

#include <torch/torch.h>

namespace faceage {

enum class Formulation { kClassification, kLdl };

Formulation parse_formulation(const std::string& name);  // "classification" | "ldl"
std::string formulation_name(Formulation formulation);

// The age each formulation predicts from [batch, ages] logits: expectation for LDL,
// argmax for classification.
torch::Tensor predicted_age(const torch::Tensor& age_logits, Formulation formulation);

}  // namespace faceage
