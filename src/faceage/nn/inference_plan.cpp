#include "faceage/nn/inference_plan.h"

#include "faceage/core/error.h"

namespace faceage {

InferencePlan choose_inference_plan(const std::string& /*architecture*/,
                                    const torch::Device& device, int64_t /*batch*/) {
  InferencePlan plan;
  plan.fold_batch_norm = true;
  // oneDNN layouts are CPU-only; folding helps everywhere. On a CPU the blocked layout
  // won for every network and batch measured once freed memory is reused (SE-ResNeXt-50,
  // whose gates need two reorders each, included: docs/performance.md).
  if (device.is_cpu()) plan.layout = TensorLayout::kMkldnn;
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
  } else if (layout != "plain") {
    fail("inference layout '{}' is unknown (known: auto, plain, channels-last, mkldnn)", layout);
  }
  if (precision == "bfloat16") {
    plan.precision = torch::kBFloat16;
  } else if (precision != "float32") {
    fail("inference precision '{}' is unknown (known: float32, bfloat16)", precision);
  }
  return plan;
}

std::string describe(const InferencePlan& plan) {
  const char* layout = plan.layout == TensorLayout::kMkldnn         ? "mkldnn"
                       : plan.layout == TensorLayout::kChannelsLast ? "channels-last"
                                                                    : "plain";
  return std::string(layout) + (plan.fold_batch_norm ? ", folded batch norm, " : ", ") +
         (plan.precision == torch::kBFloat16 ? "bfloat16" : "float32");
}

}  // namespace faceage
