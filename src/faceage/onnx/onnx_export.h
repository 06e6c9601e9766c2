#pragma once
// `faceage export --onnx`: a faceage model as one ONNX file (opset 17) that any ONNX
// runtime runs without faceage: the age network with its heads, optional flip averaging
// inside the graph, the documented outputs (prediction_graph.h), weights as initializers
// under their state-dict names, and the preprocessing record in metadata_props
// (docs/deploy.md, "Running an exported model elsewhere").
// The ONNX classes stay out of this header (onnx_model.h has them), so the command that
// calls it compiles without ONNX's definitions.
#include <optional>
#include <string>

#include "faceage/model/model_file.h"

namespace faceage::onnx_export {

struct OnnxExportOptions {
  std::optional<bool> flip_average;  // unset: the model's own setting (ModelSpec::flip_average)
};

// onnx_model.h's build_onnx_model, written atomically (io/atomic_file.h) to `path`.
// `source` names the model in errors ("SOURCE: unsupported layer ..."); an unwritable
// `path` gives an error naming it.
void export_onnx(const LoadedModel& model, const std::string& source, const std::string& path,
                 const OnnxExportOptions& options = {});

}  // namespace faceage::onnx_export
