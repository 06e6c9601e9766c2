#include "faceage/nn/age_net.h"

#include <functional>
#include <map>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/nn/face_resnet.h"
#include "faceage/nn/resnet.h"
#include "faceage/nn/vgg.h"

namespace faceage {
namespace {

using Factory = std::function<std::shared_ptr<AgeNet>(const AgeNetOptions&)>;

const std::map<std::string, Factory>& factories() {
  const auto resnet = [](nn::ResNetShape (*shape)()) {
    return [shape](const AgeNetOptions& o) -> std::shared_ptr<AgeNet> {
      return std::make_shared<nn::ResNet>(o, shape());
    };
  };
  static const std::map<std::string, Factory> table = {
      {"vgg16_bn",
       [](const AgeNetOptions& o) -> std::shared_ptr<AgeNet> {
         return std::make_shared<nn::Vgg>(o, nn::vgg16_config());
       }},
      {"face_resnet29",
       [](const AgeNetOptions& o) -> std::shared_ptr<AgeNet> {
         return std::make_shared<nn::FaceResNet>(o);
       }},
      {"resnet18", resnet(nn::resnet18_shape)},
      {"resnet34", resnet(nn::resnet34_shape)},
      {"resnet50", resnet(nn::resnet50_shape)},
      {"seresnext50_32x4d", resnet(nn::seresnext50_32x4d_shape)},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& architectures() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const auto& [name, factory] : factories()) result.push_back(name);
    return result;
  }();
  return names;
}

InputNormalization input_normalization(const std::string& architecture) {
  // dlib's face-recognition network: (RGB - its mean) / 256, here in units of 1/255.
  if (architecture == "face_resnet29")
    return {{122.782f / 255, 117.001f / 255, 104.298f / 255}, {256.f / 255, 256.f / 255, 256.f / 255}};
  return {};
}

int64_t minimum_input_size(const std::string& architecture) {
  return architecture == "face_resnet29" ? nn::FaceResNet::kMinimumInputSize : 8;
}

std::shared_ptr<AgeNet> make_age_net(const AgeNetOptions& options) {
  const auto found = factories().find(options.architecture);
  if (found == factories().end())
    fail("architecture '{}' is unknown (known: {})", options.architecture,
         fmt::join(architectures(), ", "));
  return found->second(options);
}

}  // namespace faceage
