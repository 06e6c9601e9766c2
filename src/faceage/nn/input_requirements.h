#pragma once
// What each architecture asks of its input image: the normalisation its initialisation
// was trained with and the smallest size it runs on. Plain facts without LibTorch, so
// the configuration reader (learn/train_config.cpp) can check them in the light builds
// (the sanitizer's faceage_input_tests) that do not link the networks.
#include <array>
#include <cstdint>
#include <string>

namespace faceage {

// How an RGB image in [0, 1] is normalised for an architecture's initialisation:
// (x - mean) / std per channel. ImageNet's for the ImageNet backbones; the pretrained
// face network's own for face_resnet29, whose weights were trained with it.
struct InputNormalization {
  std::array<float, 3> mean = {0.485f, 0.456f, 0.406f};
  std::array<float, 3> std = {0.229f, 0.224f, 0.225f};
};
InputNormalization input_normalization(const std::string& architecture);

// face_resnet29's unpadded stride-2 down blocks run out of rows below 103 px.
inline constexpr int64_t kFaceResNetMinimumInputSize = 103;

// The smallest square input the architecture runs on: kFaceResNetMinimumInputSize for
// face_resnet29; 8 (the configuration's floor) for the ImageNet backbones, which pad
// every convolution.
int64_t minimum_input_size(const std::string& architecture);

}  // namespace faceage
