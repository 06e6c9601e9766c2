#pragma once
// How a trained network runs when it only has to predict: the memory layout of its
// activations, its number format and whether batch norms are folded into the
// convolutions. choose_inference_plan() is the one place that picks these for a device,
// a network and a batch size; docs/performance.md has the measurements behind it.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "faceage/nn/precision.h"

namespace faceage {

enum class TensorLayout {
  kPlain,         // NCHW, as trained: the reference every optimised plan is tested against
  kChannelsLast,  // NHWC dense tensors: oneDNN convolves these without reordering them
  kMkldnn,        // oneDNN's blocked layout, weights reordered once (CPU only)
  kOneDnn,        // the ResNet family's and face_resnet29's trunk as one fused chain of
                  // oneDNN primitives (nn/onednn_trunk.h; CPU, float32, libdnnl-dev only)
};

struct InferencePlan {
  bool fold_batch_norm = false;  // scale and shift folded into the preceding convolution
  TensorLayout layout = TensorLayout::kPlain;
  Precision precision = Precision::kFloat32;  // int8 on the kOneDnn layout only
  std::vector<float> int8_ranges;  // int8: the model's calibrated activation ranges

  bool optimized() const {
    return fold_batch_norm || layout != TensorLayout::kPlain || precision != Precision::kFloat32;
  }
};

// What a model file says about reduced precision (model/precision_check.h): the precisions
// whose accuracy was checked against float32 and held, and int8's activation ranges.
struct PrecisionCalibration {
  std::vector<std::string> validated;  // of "bfloat16", "int8"
  std::vector<float> int8_ranges;

  bool validates(const std::string& precision) const;
};

// The fastest measured float32 plan for `architecture` ("resnet18", ...) on `device` at
// `batch` images per forward pass (today the same for every architecture and batch).
// bfloat16 is never chosen here: it moves predictions by a few hundredths of a year, so
// it is the caller's explicit choice.
InferencePlan choose_inference_plan(const std::string& architecture, const torch::Device& device,
                                    int64_t batch);

// What the user asked for: "auto" (choose_inference_plan), "plain", "channels-last",
// "mkldnn" or "onednn" (all but plain with batch norm folding), and a precision:
// "float32", "bfloat16", "int8" (the oneDNN chain, with the model's calibration), or
// "auto": int8 where the model validated it and this CPU runs it natively, float32
// otherwise. Throws faceage::Error naming the bad value or combination.
InferencePlan inference_plan_from_names(const std::string& layout, const std::string& precision,
                                        const std::string& architecture,
                                        const torch::Device& device, int64_t batch,
                                        const PrecisionCalibration& calibration = {});

// Every name inference_plan_from_names accepts, "auto" first: for option checks and help
// text, so that a new layout or precision is named in one place.
std::vector<std::string> inference_layout_names();     // auto, plain, channels-last, ...
std::vector<std::string> inference_precision_names();  // auto, float32, bfloat16, int8

// "mkldnn, folded batch norm, float32".
std::string describe(const InferencePlan& plan);

}  // namespace faceage
