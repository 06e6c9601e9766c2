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

std::shared_ptr<AgeNet> make_age_net(const AgeNetOptions& options) {
  const auto found = factories().find(options.architecture);
  if (found == factories().end())
    fail("architecture '{}' is unknown (known: {})", options.architecture,
         fmt::join(architectures(), ", "));
  return found->second(options);
}

}  // namespace faceage
