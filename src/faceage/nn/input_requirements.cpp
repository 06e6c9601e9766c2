#include "faceage/nn/input_requirements.h"

namespace faceage {

InputNormalization input_normalization(const std::string& architecture) {
  // dlib's face-recognition network: (RGB - its mean) / 256, here in units of 1/255.
  if (architecture == "face_resnet29")
    return {{122.782f / 255, 117.001f / 255, 104.298f / 255}, {256.f / 255, 256.f / 255, 256.f / 255}};
  return {};
}

int64_t minimum_input_size(const std::string& architecture) {
  return architecture == "face_resnet29" ? kFaceResNetMinimumInputSize : 8;
}

}  // namespace faceage
