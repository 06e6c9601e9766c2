#pragma once
// Turns a trained network into its fast inference form, as an InferencePlan says:
// batch norms folded into the convolutions before them, convolution weights reordered
// once into the layout the activations will have, weights in the plan's precision.
// forward() then needs its input converted by to_network_input(); forward_for_inference
// (flip_average.h) does that and returns float logits whatever the plan.
#include <torch/torch.h>

#include "faceage/nn/age_net.h"
#include "faceage/nn/inference_plan.h"

namespace faceage {

// In place, once, after the network is on its device; puts it in eval mode. Its
// registered parameters and buffers stay the trained ones (state_dict and saving still
// give the original model); forward uses the converted copies. The network can no
// longer train: a folded batch norm refuses train mode.
void optimize_for_inference(AgeNet& network, const InferencePlan& plan);

// Float NCHW images as `plan` wants them: its precision and layout.
torch::Tensor to_network_input(const torch::Tensor& images, const InferencePlan& plan);

}  // namespace faceage
