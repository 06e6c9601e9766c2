#pragma once
// Test-time flip averaging: a face and its mirror image are the same person at the same
// age, so averaging the network's predicted distributions over both halves the variance
// that comes from the crop's left/right asymmetry (a common, cheap accuracy gain).
#include <torch/torch.h>

#include "faceage/nn/age_net.h"

namespace faceage {

// The network's output for `images`, or, with flip_average, for each image and its
// horizontal mirror averaged: every head's logits are log((p + p_mirror) / 2), so a
// softmax of them gives the mean of the two probability distributions. A network
// optimised for inference (inference_optimization.h) gets its input converted to its
// plan; the logits come back float either way.
AgeNetOutput forward_for_inference(AgeNet& network, const torch::Tensor& images,
                                   bool flip_average);

}  // namespace faceage
