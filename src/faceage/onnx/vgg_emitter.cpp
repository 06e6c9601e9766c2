// Vgg::forward in ONNX (nn/vgg.h): the features walked module by module, adaptive
// average pool to 7x7, flatten, the classifier up to its last Linear (the age head).
#include "faceage/core/error.h"
#include "faceage/onnx/backbone_emitters.h"
#include "faceage/onnx/layer_emitters.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {
namespace {

constexpr int64_t kPooledSize = 7;  // torchvision's AdaptiveAvgPool2d((7, 7))
constexpr int kMiddlePool = 4;      // vgg.h: the multi-task tap is the input of the 4th max pool

}  // namespace

TrunkValues emit_vgg_trunk(GraphBuilder& graph, const nn::Vgg& network, const std::string& input) {
  check_known_children(network, "", {"features", "classifier", "gender_fc", "ethnicity_fc"});
  const auto* features = child_as<torch::nn::SequentialImpl>(network, "", "features");
  TrunkValues values;
  std::string x = input;
  int pools = 0;
  for (const auto& item : features->named_children()) {
    if (item.value()->as<torch::nn::MaxPool2dImpl>() && ++pools == kMiddlePool) values.middle = x;
    x = emit_module(graph, *item.value(), join_path("features", item.key()), x);
  }
  if (values.middle.empty())
    fail("unsupported network structure: 'features' has fewer than {} max pools", kMiddlePool);
  x = emit_adaptive_average_pool(graph, "avgpool", x, kPooledSize, kPooledSize);
  x = emit_flatten(graph, "flatten", x);

  const auto* classifier = child_as<torch::nn::SequentialImpl>(network, "", "classifier");
  const auto layers = classifier->named_children();
  if (layers.is_empty()) fail("unsupported network structure: 'classifier' is empty");
  for (size_t i = 0; i + 1 < layers.size(); ++i)
    x = emit_module(graph, *layers[i].value(), join_path("classifier", layers[i].key()), x);
  values.pooled = x;
  values.age_fc_path = join_path("classifier", layers[layers.size() - 1].key());
  values.age_fc = child_as<torch::nn::LinearImpl>(*classifier, "classifier",
                                                  layers[layers.size() - 1].key());
  return values;
}

}  // namespace faceage::onnx_export
