#include "faceage/onnx/network_emitter.h"

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/onnx/backbone_emitters.h"
#include "faceage/onnx/layer_emitters.h"
#include "faceage/onnx/module_children.h"

namespace faceage::onnx_export {
namespace {

TrunkValues emit_trunk(GraphBuilder& graph, const AgeNet& network, const std::string& input) {
  if (const auto* resnet = dynamic_cast<const nn::ResNet*>(&network))
    return emit_resnet_trunk(graph, *resnet, input);
  if (const auto* face_resnet = dynamic_cast<const nn::FaceResNet*>(&network))
    return emit_face_resnet_trunk(graph, *face_resnet, input);
  if (const auto* vgg = dynamic_cast<const nn::Vgg*>(&network))
    return emit_vgg_trunk(graph, *vgg, input);
  fail("architecture '{}' has no ONNX export (supported: {})", network.options().architecture,
       fmt::join(onnx_architectures(), ", "));
}

}  // namespace

const std::vector<std::string>& onnx_architectures() {
  static const std::vector<std::string> names = {"face_resnet29", "resnet18", "resnet34",
                                                 "resnet50", "seresnext50_32x4d", "vgg16_bn"};
  return names;
}

NetworkLogits emit_age_network(GraphBuilder& graph, const AgeNet& network, const std::string& input) {
  const TrunkValues trunk = emit_trunk(graph, network, input);
  const auto* gender_fc = child_as<torch::nn::LinearImpl>(network, "", "gender_fc", /*optional=*/true);
  const auto* ethnicity_fc =
      child_as<torch::nn::LinearImpl>(network, "", "ethnicity_fc", /*optional=*/true);
  if (bool(gender_fc) != network.options().multitask || bool(ethnicity_fc) != bool(gender_fc))
    fail("unsupported network structure: the gender and ethnicity heads do not match the "
         "model's multitask setting ({})", network.options().multitask);
  NetworkLogits logits;
  if (!gender_fc) {
    logits.age = emit_linear(graph, *trunk.age_fc, trunk.age_fc_path, trunk.pooled);
    return logits;
  }
  // nn/multitask_head.h: the middle map pooled into both heads, whose logits join the
  // pooled features before the age head.
  const std::string middle = emit_flatten(
      graph, "middle_flatten", emit_global_average_pool(graph, "middle_avgpool", trunk.middle));
  logits.gender = emit_linear(graph, *gender_fc, "gender_fc", middle);
  logits.ethnicity = emit_linear(graph, *ethnicity_fc, "ethnicity_fc", middle);
  const Shape& pooled = graph.shape(trunk.pooled);
  const int64_t joined_features = pooled[1] + graph.shape(logits.gender)[1] +
                                  graph.shape(logits.ethnicity)[1];
  const std::string joined =
      graph.add_node("Concat", "age_head_input", {trunk.pooled, logits.gender, logits.ethnicity},
                     {pooled[0], joined_features}, {int_attribute("axis", 1)});
  logits.age = emit_linear(graph, *trunk.age_fc, trunk.age_fc_path, joined);
  return logits;
}

}  // namespace faceage::onnx_export
