#include "faceage/nn/inference_plan.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include <fmt/ranges.h>

#include "faceage/core/error.h"
#include "faceage/nn/onednn_trunk.h"

namespace faceage {

namespace {

// The name of each layout as users give it (`--inference`; "auto" picks one of them).
constexpr std::pair<TensorLayout, const char*> kLayoutNames[] = {
    {TensorLayout::kPlain, "plain"},
    {TensorLayout::kChannelsLast, "channels-last"},
    {TensorLayout::kMkldnn, "mkldnn"},
    {TensorLayout::kOneDnn, "onednn"},
};

const char* name_of(TensorLayout layout) {
  for (const auto& [value, name] : kLayoutNames)
    if (value == layout) return name;
  return "plain";
}

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

bool PrecisionCalibration::validates(const std::string& precision) const {
  return std::find(validated.begin(), validated.end(), precision) != validated.end();
}

namespace {

InferencePlan layout_from_name(const std::string& layout, const std::string& architecture,
                               const torch::Device& device, int64_t batch) {
  if (layout == "auto") return choose_inference_plan(architecture, device, batch);
  const auto* named = std::find_if(std::begin(kLayoutNames), std::end(kLayoutNames),
                                   [&](const auto& entry) { return layout == entry.second; });
  if (named == std::end(kLayoutNames))
    fail("inference layout '{}' is unknown (known: {})", layout,
         fmt::join(inference_layout_names(), ", "));
  const TensorLayout chosen = named->first;
  if (chosen == TensorLayout::kPlain) return {};
  if (chosen == TensorLayout::kChannelsLast) return {true, chosen};
  if (!device.is_cpu())
    fail("inference layout '{}' runs on the CPU only, not on {}", layout, device.str());
  if (chosen == TensorLayout::kMkldnn) return {true, chosen};
  if (!has_onednn_trunk(architecture))
    fail("inference layout 'onednn' runs the ResNet family and face_resnet29 only, not {}",
         architecture);
  if (!nn::OneDnnTrunk::available())
    fail("inference layout 'onednn' needs a faceage built with libdnnl-dev");
  return {true, TensorLayout::kOneDnn};
}

// Whether `plan` can run in int8: on a oneDNN chain, with the model's calibration.
bool runs_int8(const InferencePlan& plan, const PrecisionCalibration& calibration) {
  return plan.layout == TensorLayout::kOneDnn && !calibration.int8_ranges.empty();
}

}  // namespace

InferencePlan inference_plan_from_names(const std::string& layout, const std::string& precision,
                                        const std::string& architecture,
                                        const torch::Device& device, int64_t batch,
                                        const PrecisionCalibration& calibration) {
  InferencePlan plan = layout_from_name(layout, architecture, device, batch);
  std::string chosen = precision;
  if (precision == "auto") {
    // int8 where validated and native (2.9-3.3x float32, docs/performance.md). bfloat16
    // is never chosen: oneDNN 2.6's bfloat16 convolutions ran at 0.6x float32 on this
    // machine's AVX512-BF16, so it is only an explicit choice.
    const bool int8 = device.is_cpu() && calibration.validates("int8") &&
                      nn::OneDnnTrunk::native(Precision::kInt8) &&
                      runs_int8(plan, calibration);
    chosen = int8 ? "int8" : "float32";
  }
  if (chosen == "int8") {
    if (plan.layout != TensorLayout::kOneDnn)
      fail("inference precision 'int8' runs on the oneDNN chain only (layout auto or onednn, "
           "the ResNet family and face_resnet29, CPU), not {}", describe(plan));
    if (calibration.int8_ranges.empty())
      fail("this model has no int8 calibration: make one with `faceage calibrate`");
    plan.precision = Precision::kInt8;
    plan.int8_ranges = calibration.int8_ranges;
  } else if (chosen == "bfloat16") {
    plan.precision = Precision::kBFloat16;
  } else if (chosen != "float32") {
    fail("inference precision '{}' is unknown (known: {})", precision,
         fmt::join(inference_precision_names(), ", "));
  }
  return plan;
}

std::vector<std::string> inference_layout_names() {
  std::vector<std::string> names = {"auto"};
  for (const auto& entry : kLayoutNames) names.emplace_back(entry.second);
  return names;
}

std::vector<std::string> inference_precision_names() {
  return {"auto", name_of(Precision::kFloat32), name_of(Precision::kBFloat16),
          name_of(Precision::kInt8)};
}

std::string describe(const InferencePlan& plan) {
  const char* folding = plan.fold_batch_norm ? ", folded batch norm, " : ", ";
  return std::string(name_of(plan.layout)) + folding + name_of(plan.precision);
}

}  // namespace faceage
