#pragma once
// Batch norms re-expressed in the statistics their inputs have on new data, the network's
// eval-mode function unchanged.
//
// Why: a pretrained network whose "batch norms" are fixed scales and shifts (dlib's face
// network stores y = s * x + b, i.e. running mean 0 and variance 1) computes something
// else once it trains: train mode normalises by the batch's own mean and variance. With
// each batch norm rewritten as running mean = m, running variance = v (measured on
// training images), weight = s * sqrt(v + eps) and bias = b + s * m, eval mode still
// computes s * x + b, and train mode, whose batch statistics are about m and v, computes
// about the same: fine-tuning starts from the pretrained function.
//
// In general, for y = w (x - m0) / sqrt(v0 + eps) + b0 and measured m, v:
//   w' = w sqrt(v + eps) / sqrt(v0 + eps),  b' = b0 + w (m - m0) / sqrt(v0 + eps).
// All batch norms are measured in one pass per batch: the pass runs in eval mode, where
// every layer sees exactly the input the pretrained network gives it.
#include <functional>
#include <optional>

#include <torch/torch.h>

#include "faceage/nn/age_net.h"

namespace faceage {

// `next_images` gives normalised image batches (as the network's forward takes them) and
// nothing when done; at most `max_batches` are used. Returns the number of batch norms
// rewritten (0 when there are none or no images came). Leaves the network in eval mode.
size_t recalibrate_batch_norms(AgeNet& network,
                               const std::function<std::optional<torch::Tensor>()>& next_images,
                               size_t max_batches);

}  // namespace faceage
