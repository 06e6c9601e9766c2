#pragma once
// A network's convolution as the oneDNN trunk (onednn_trunk.h) takes it.
#include "faceage/nn/onednn_trunk.h"
#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::nn {

// conv with its batch norm bn folded into it; throws unless bn has been folded
// (optimize_for_inference does that before building the trunk).
TrunkConvolution trunk_convolution(const torch::nn::Conv2d& conv, const SyncableBatchNorm2d& bn);

}  // namespace faceage::nn
