#pragma once
// The exported model as ONNX's protobuf classes, before it is written (onnx_export.h).
#include <string>

#include <onnx/onnx_pb.h>

#include "faceage/onnx/onnx_export.h"

namespace faceage::onnx_export {

// The metadata_props key holding to_json(ModelSpec), the whole faceage model record; the
// other keys (input_size, mean, std, color_order, ...) are listed in docs/deploy.md.
inline constexpr const char* kOnnxModelSpecKey = "faceage.model";

// The checked ONNX model (onnx::checker and strict shape inference passed). An unsupported
// architecture or layer throws faceage::Error "SOURCE: unsupported layer 'layer1.0.xyz' ...".
::onnx::ModelProto build_onnx_model(const LoadedModel& model, const std::string& source,
                                    const OnnxExportOptions& options = {});

}  // namespace faceage::onnx_export
