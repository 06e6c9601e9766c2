#pragma once
// Turns a trained network into its fast inference form, as an InferencePlan says:
// batch norms folded into the convolutions before them, convolution weights reordered
// once into the layout the activations will have, weights in the plan's precision.
// forward() then needs its input converted by to_network_input(); forward_for_inference
// (flip_average.h) does that and returns float logits whatever the plan.
#include <memory>

#include <torch/torch.h>

#include "faceage/nn/age_net.h"
#include "faceage/nn/inference_plan.h"
#include "faceage/nn/onednn_trunk.h"

namespace faceage {

// In place, once, after the network is on its device; puts it in eval mode. Its
// registered parameters and buffers stay the trained ones (state_dict and saving still
// give the original model); forward uses the converted copies. The network can no
// longer train: a folded batch norm refuses train mode.
void optimize_for_inference(AgeNet& network, const InferencePlan& plan);

// int8 calibration (nn/onednn_trunk.h): a float32 oneDNN copy of a trained network that
// records the ranges its trunk's activations take on the images it is shown. Calibrate on
// real faces prepared as for inference (with their mirror images where the model
// averages over flips): ranges from random images quantize real faces badly.
class Int8Calibrator {
 public:
  // A ResNet-family or face_resnet29 network, not optimised; it is copied, not changed.
  explicit Int8Calibrator(const AgeNet& network);
  // Float NCHW images of the model's input size.
  void observe(const torch::Tensor& images);
  const nn::ActivationRanges& ranges() const { return ranges_; }

 private:
  std::shared_ptr<AgeNet> float_chain_;
  nn::ActivationRanges ranges_;
};

// Multiply-adds per image of the network's oneDNN trunk on height x width pictures (the
// heads' few thousand left out), or 0 when it runs no trunk: benchmarks' GFLOP/s.
double trunk_multiply_adds(AgeNet& network, int64_t height, int64_t width);

// Float NCHW images as `plan` wants them: its precision and layout.
torch::Tensor to_network_input(const torch::Tensor& images, const InferencePlan& plan);

}  // namespace faceage
