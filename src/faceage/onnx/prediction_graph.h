#pragma once
// The whole exported graph between the network input and the documented outputs:
//   input [N, 3, H, W]
//   -> (flip averaging: the input and its mirror image as one batch of 2N, as
//      nn/flip_average.h runs them) -> the age network (network_emitter.h)
//   -> age_logits [N, num_ages], age_probabilities (softmax), age [N] (expectation for
//      label-distribution models, argmax for classification ones, as faceage reports),
//      gender_logits / ethnicity_logits when the model has those heads.
// With flip averaging every *_logits output is log((p + p_mirror) / 2): log-probabilities
// whose softmax is the mean of the two distributions, what faceage's own forward returns.
#include <string>

#include "faceage/model/formulation.h"
#include "faceage/nn/age_net.h"
#include "faceage/onnx/graph_builder.h"

namespace faceage::onnx_export {

inline constexpr const char* kInputName = "input";

struct PredictionGraphOptions {
  int64_t input_size = 224;  // H = W
  bool flip_average = false;
  Formulation formulation = Formulation::kLdl;
};

// Adds the graph input, every node and the graph outputs.
void emit_prediction_graph(GraphBuilder& graph, const AgeNet& network,
                           const PredictionGraphOptions& options);

}  // namespace faceage::onnx_export
