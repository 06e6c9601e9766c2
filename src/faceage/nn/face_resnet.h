#pragma once
// The face-recognition ResNet-29 of dlib (dlib_face_recognition_resnet_model_v1), as
// face-api.js ships it (`faceRecognitionNet`, npm @vladmandic/face-api, MIT): a network
// trained to tell identities apart, used here as a face-pretrained initialisation for
// age (issue 18; ImageNet weights cannot be had on these machines).
//
// Layout, with the state-dict names scripts/fetch-face-init.sh writes (face-api's names
// in brackets; every convolution has a bias and is followed by a per-channel scale and
// shift, stored as a batch norm so it trains and folds like the other backbones):
//   conv1/bn1        7x7 stride 2, no padding, 3 -> 32, ReLU   [conv32_down]
//   max pool         3x3 stride 2, no padding
//   layer1.0-2       residual blocks, 32 channels              [conv32_1..3]
//   layer2.0         down block 32 -> 64, then layer2.1-3       [conv64_down, conv64_1..3]
//   layer3.0         down block 64 -> 128, then layer3.1-2      [conv128_down, conv128_1..2]
//   layer4.0         down block 128 -> 256, then layer4.1-2     [conv256_down, conv256_1..2]
//   layer5.0         down block 256 -> 256                      [conv256_down_out]
//   global average pool -> 256 features -> the age head (fc)
// A residual block is relu(bn2(conv2(relu(bn1(conv1(x))))) + x) with 3x3 convolutions
// padded by 1. A down block's conv1 has stride 2 and no padding; its shortcut is a 2x2
// average pool of x whose missing channels are zeros, and where the pool's map is one
// row or column larger than the convolutions' (even input sizes) the residual branch is
// extended by zeros at the bottom and right before the add, as face-api does.
//
// The 128-d identity descriptor (face-api's `fc`, `embedding.weight` in the converted
// file) is not part of the age network: identity features are made to ignore age, so
// the age head reads the 256 pooled features; features() times that matrix is face-api's
// descriptor, which the parity test compares (tests/nn/reference_face_recognition.py).
//
// Input: RGB, (pixel - mean) / 256 with dlib's mean (input_normalization, 150 px for the
// original network; any size from kMinimumInputSize runs, below which the last down
// block would get less than its 3 x 3 kernel). Multi-task heads read layer2's output.
#include "faceage/nn/age_net.h"
#include "faceage/nn/onednn_trunk_host.h"
#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::nn {

class FaceResNet : public AgeNet, public OneDnnTrunkHost {
 public:
  static constexpr int64_t kMinimumInputSize = kFaceResNetMinimumInputSize;

  explicit FaceResNet(const AgeNetOptions& options);
  AgeNetOutput forward(torch::Tensor images) override;

  // The 256 globally pooled features the heads read, [batch, 256].
  torch::Tensor features(const torch::Tensor& images);

  // use_onednn_trunk() (OneDnnTrunkHost) moves features() onto the chain as well.

 protected:
  TrunkDescription trunk_description() const override;

 private:
  torch::nn::Conv2d conv1_{nullptr};
  SyncableBatchNorm2d bn1_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr},
      layer5_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::nn::Linear gender_fc_{nullptr}, ethnicity_fc_{nullptr};

  // The pooled features; with `middle`, layer2's output too (pooled on the oneDNN trunk).
  torch::Tensor trunk(const torch::Tensor& images, torch::Tensor* middle);
};

}  // namespace faceage::nn
