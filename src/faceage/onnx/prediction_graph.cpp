#include "faceage/onnx/prediction_graph.h"

#include <cmath>
#include <limits>

#include "faceage/onnx/network_emitter.h"

namespace faceage::onnx_export {
namespace {

// x[..., ::-1]: Slice backwards along W (static size), no Transpose or Gather.
std::string emit_horizontal_flip(GraphBuilder& graph, const std::string& input) {
  const std::string starts = graph.add_int64_initializer("flip.starts", {-1});
  const std::string ends =
      graph.add_int64_initializer("flip.ends", {std::numeric_limits<int64_t>::min()});
  const std::string axes = graph.add_int64_initializer("flip.axes", {3});
  const std::string steps = graph.add_int64_initializer("flip.steps", {-1});
  return graph.add_node("Slice", "flip", {input, starts, ends, axes, steps}, graph.shape(input));
}

// log((softmax(a) + softmax(b)) / 2) for the two halves of [2N, K] logits, in log space
// as nn/flip_average.h does (so tiny probabilities never become log(0)):
// m + softplus(-|la - lb|) - log 2 with la, lb the log-softmaxes and m their maximum.
std::string emit_log_mean_distribution(GraphBuilder& graph, const std::string& name,
                                       const std::string& logits) {
  const Shape half = graph.shape(logits);  // N of the 2N: the batch stays symbolic
  const std::vector<std::string> halves = graph.add_multi_output_node(
      "Split", name + ".halves", {logits}, {half, half}, {int_attribute("axis", 0)});
  const auto log_softmax = [&](const std::string& x, const std::string& node) {
    return graph.add_node("LogSoftmax", node, {x}, half, {int_attribute("axis", 1)});
  };
  const std::string a = log_softmax(halves[0], name + ".log_p");
  const std::string b = log_softmax(halves[1], name + ".log_p_mirror");
  const auto node = [&](const char* op, const std::string& suffix, std::vector<std::string> inputs) {
    return graph.add_node(op, name + suffix, inputs, half);
  };
  const std::string larger = node("Max", ".max", {a, b});
  const std::string gap = node("Abs", ".gap", {node("Sub", ".difference", {a, b})});
  const std::string log_sum =
      node("Add", ".log_sum", {larger, node("Softplus", ".softplus", {node("Neg", ".negative_gap", {gap})})});
  const std::string log_two = graph.add_scalar_initializer(name + ".log_two", std::log(2.0f));
  return node("Sub", ".log_mean", {log_sum, log_two});
}

}  // namespace

void emit_prediction_graph(GraphBuilder& graph, const AgeNet& network,
                           const PredictionGraphOptions& options) {
  const int64_t size = options.input_size;
  const std::string input = graph.add_input(
      kInputName, {kBatch, 3, size, size},
      "Faces, normalised: (pixel / 255 - mean) / std per channel in the metadata's "
      "color_order, NCHW; see the metadata for the crop");
  std::string network_input = input;
  if (options.flip_average) {
    const Shape& in = graph.shape(input);
    network_input = graph.add_node("Concat", "input_and_mirror", {input, emit_horizontal_flip(graph, input)},
                                   in, {int_attribute("axis", 0)});
  }
  NetworkLogits logits = emit_age_network(graph, network, network_input);
  if (options.flip_average) {
    logits.age = emit_log_mean_distribution(graph, "age_average", logits.age);
    if (!logits.gender.empty()) {
      logits.gender = emit_log_mean_distribution(graph, "gender_average", logits.gender);
      logits.ethnicity = emit_log_mean_distribution(graph, "ethnicity_average", logits.ethnicity);
    }
  }

  const Shape& age_shape = graph.shape(logits.age);
  const std::string probabilities = graph.add_node("Softmax", "age_softmax", {logits.age}, age_shape,
                                                   {int_attribute("axis", 1)});
  std::string age;
  if (options.formulation == Formulation::kLdl) {
    const std::string classes = graph.add_initializer(
        "age_classes", torch::arange(age_shape[1], torch::TensorOptions(torch::kFloat)));
    age = graph.add_node("MatMul", "age_expectation", {probabilities, classes}, {kBatch});
  } else {
    const std::string argmax = graph.add_node("ArgMax", "age_argmax", {logits.age}, {kBatch},
                                              {int_attribute("axis", 1), int_attribute("keepdims", 0)});
    age = graph.add_node("Cast", "age_class", {argmax}, {kBatch},
                         {int_attribute("to", ::onnx::TensorProto::FLOAT)});
  }

  const char* logits_meaning = options.flip_average
                                   ? "log of the mean of the face's and its mirror image's "
                                     "probabilities (log-softmax normalised)"
                                   : "the network's logits";
  graph.add_output(logits.age, "age_logits",
                   std::string("Ages 0..") + std::to_string(age_shape[1] - 1) + ": " + logits_meaning);
  graph.add_output(probabilities, "age_probabilities",
                   "softmax(age_logits): the probability of each age 0.." + std::to_string(age_shape[1] - 1));
  graph.add_output(age, "age",
                   options.formulation == Formulation::kLdl
                       ? "Predicted age in years: the expectation of age_probabilities"
                       : "Predicted age in years: the most probable age class");
  if (!logits.gender.empty()) {
    graph.add_output(logits.gender, "gender_logits",
                     std::string("Gender (0 male, 1 female): ") + logits_meaning);
    graph.add_output(logits.ethnicity, "ethnicity_logits",
                     std::string("Ethnicity (0 white, 1 black, 2 asian, 3 indian, 4 other): ") +
                         logits_meaning);
  }
}

}  // namespace faceage::onnx_export
