#include "faceage/nn/age_net.h"

#include <functional>
#include <map>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/nn/resnet.h"

namespace faceage {
namespace {

using Factory = std::function<std::shared_ptr<AgeNet>(const AgeNetOptions&)>;

const std::map<std::string, Factory>& factories() {
  using nn::BlockKind;
  static const std::map<std::string, Factory> table = {
      {"resnet18", [](const AgeNetOptions& o) {
         return std::make_shared<nn::ResNet>(o, nn::ResNetShape{BlockKind::kBasic, {2, 2, 2, 2}});
       }},
      {"resnet34", [](const AgeNetOptions& o) {
         return std::make_shared<nn::ResNet>(o, nn::ResNetShape{BlockKind::kBasic, {3, 4, 6, 3}});
       }},
      {"resnet50", [](const AgeNetOptions& o) {
         return std::make_shared<nn::ResNet>(o,
                                             nn::ResNetShape{BlockKind::kBottleneck, {3, 4, 6, 3}});
       }},
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
