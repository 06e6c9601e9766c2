#include "faceage/nn/inference_plan.h"

#include "faceage/core/error.h"
#include "faceage/nn/onednn_trunk.h"

namespace faceage {

namespace {

bool has_onednn_trunk(const std::string& architecture) {
  return architecture.rfind("resnet", 0) == 0 || architecture.rfind("seresnext", 0) == 0 ||
         architecture == "face_resnet29";
}

}  // namespace

InferencePlan choose_inference_plan(const std::string& architecture,
                                    const torch::Device& device, int64_t /*batch*/) {
  InferencePlan plan;
  plan.fold_batch_norm = true;
  if (!device.is_cpu()) return plan;  // oneDNN is CPU-only; folding helps everywhere
  // On a CPU the fused oneDNN chain of the ResNet family and face_resnet29 beat LibTorch's
  // own oneDNN calls at every batch measured, and the blocked layout beat channels-last
  // for the rest (VGG) once freed memory is reused (docs/performance.md).
  const bool fused = nn::OneDnnTrunk::available() && has_onednn_trunk(architecture);
  plan.layout = fused ? TensorLayout::kOneDnn : TensorLayout::kMkldnn;
  return plan;
}

InferencePlan inference_plan_from_names(const std::string& layout, const std::string& precision,
                                        const std::string& architecture,
                                        const torch::Device& device, int64_t batch) {
  InferencePlan plan;
  if (layout == "auto") {
    plan = choose_inference_plan(architecture, device, batch);
  } else if (layout == "channels-last") {
    plan = {true, TensorLayout::kChannelsLast};
  } else if (layout == "mkldnn") {
    if (!device.is_cpu()) fail("inference layout 'mkldnn' runs on the CPU only, not on {}", device.str());
    plan = {true, TensorLayout::kMkldnn};
  } else if (layout == "onednn") {
    if (!device.is_cpu())
      fail("inference layout 'onednn' runs on the CPU only, not on {}", device.str());
    if (!has_onednn_trunk(architecture))
      fail("inference layout 'onednn' runs the ResNet family and face_resnet29 only, not {}",
           architecture);
    if (!nn::OneDnnTrunk::available())
      fail("inference layout 'onednn' needs a faceage built with libdnnl-dev");
    plan = {true, TensorLayout::kOneDnn};
  } else if (layout != "plain") {
    fail("inference layout '{}' is unknown (known: auto, plain, channels-last, mkldnn, onednn)",
         layout);
  }
  if (precision == "bfloat16") {
    plan.precision = torch::kBFloat16;
    if (plan.layout == TensorLayout::kOneDnn) {
      if (layout != "auto") fail("inference layout 'onednn' runs float32 only, not bfloat16");
      plan.layout = TensorLayout::kMkldnn;  // auto: the fastest bfloat16 plan
    }
  } else if (precision != "float32") {
    fail("inference precision '{}' is unknown (known: float32, bfloat16)", precision);
  }
  return plan;
}

std::string describe(const InferencePlan& plan) {
  const char* layout = plan.layout == TensorLayout::kOneDnn         ? "onednn"
                       : plan.layout == TensorLayout::kMkldnn       ? "mkldnn"
                       : plan.layout == TensorLayout::kChannelsLast ? "channels-last"
                                                                    : "plain";
  return std::string(layout) + (plan.fold_batch_norm ? ", folded batch norm, " : ", ") +
         (plan.precision == torch::kBFloat16 ? "bfloat16" : "float32");
}

}  // namespace faceage
