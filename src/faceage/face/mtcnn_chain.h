#pragma once
// MTCNN's three networks as fused chains of oneDNN primitives (nn/onednn_program.h):
// each PReLU a post-op of its convolution or dense layer, the heads one layer, weights
// reordered once, one chain per batch and picture size. R-Net and O-Net see a few dozen
// 24 and 48 px crops per photo, where LibTorch's per-operator overhead (about 20 calls,
// each reordering its weights) was most of their time. Same outputs as the modules
// (tests/face/mtcnn_chain_test.cpp).
#include <memory>

#include <torch/torch.h>

#include "faceage/face/mtcnn_nets.h"

namespace faceage {

class MtcnnChains {
 public:
  // Whether this build has oneDNN's own API (as nn::OneDnnTrunk::available()).
  static bool available();

  // Keeps the networks' layers (their weights are shared, not copied).
  explicit MtcnnChains(const MtcnnNets& nets);
  ~MtcnnChains();

  // As PNet/RNet/ONet::forward, for float [N, 3, H, W] channels-last (NHWC) input.
  // Safe to call from several threads at once (each builds its own chains).
  PNetOutput pnet(const torch::Tensor& images);
  RNetOutput rnet(const torch::Tensor& crops);
  ONetOutput onet(const torch::Tensor& crops);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceage
