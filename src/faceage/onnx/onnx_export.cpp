#include "faceage/onnx/onnx_model.h"

#include <climits>

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "faceage/core/error.h"
#include "faceage/core/version.h"
#include "faceage/io/atomic_file.h"
#include "faceage/onnx/prediction_graph.h"

namespace faceage::onnx_export {
namespace {

void add_metadata(::onnx::ModelProto& model, const std::string& key, const std::string& value) {
  ::onnx::StringStringEntryProto* entry = model.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

// How a photo's face becomes the input (model/network_input.h), in words.
std::string face_crop_description(const Preprocessing& p) {
  const std::string resize = fmt::format(
      "then resized to {0} x {0} (area averaging when shrinking, bilinear when enlarging)",
      p.input_size);
  if (p.frame)
    return fmt::format(
        "MTCNN face box; the photo rotated about its centre so the eyes are level; a crop "
        "{:.4f} x the box width by {:.4f} x the box height, centred {:+.4f} box widths right "
        "and {:+.4f} box heights below the box centre; {}",
        p.frame->scale_x, p.frame->scale_y, p.frame->shift_x, p.frame->shift_y, resize);
  if (p.align)
    return fmt::format(
        "MTCNN face box; the photo rotated about its centre so the eyes are level and the "
        "face detected again; that box grown by margin {} (width and height x {}) about its "
        "centre, clamped to the image; {}",
        p.margin, 1 + p.margin, resize);
  return "the whole image is the face crop (the model was trained on ready-made crops); " + resize;
}

void add_preprocessing_metadata(::onnx::ModelProto& model, const ModelSpec& spec, bool flip_average) {
  const Preprocessing& p = spec.preprocessing;
  add_metadata(model, kOnnxModelSpecKey, to_json(spec).dump());
  add_metadata(model, "input_name", kInputName);
  add_metadata(model, "input_layout", "NCHW");
  add_metadata(model, "input_size", std::to_string(p.input_size));
  add_metadata(model, "color_order", p.color_order);
  add_metadata(model, "value_scale", "1/255");
  add_metadata(model, "mean", nlohmann::json(p.mean).dump());
  add_metadata(model, "std", nlohmann::json(p.std).dump());
  add_metadata(model, "normalization",
               "input = (pixel / 255 - mean) / std, per channel in color_order");
  add_metadata(model, "align", p.align ? "true" : "false");
  add_metadata(model, "margin", fmt::format("{}", p.margin));
  add_metadata(model, "frame", to_json(p).value("frame", nlohmann::json()).dump());
  add_metadata(model, "face_crop", face_crop_description(p));
  add_metadata(model, "flip_average", flip_average ? "true" : "false");
  add_metadata(model, "age_output",
               spec.formulation == Formulation::kLdl ? "expectation" : "argmax");
}

// onnx::checker, then shape inference in strict mode: every node's inferred output must
// agree with the shapes the emitters computed (a wrong pad or pool size fails here).
void check(::onnx::ModelProto& model) {
  try {
    ::onnx::checker::check_model(model);
    ::onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1);
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception& e) {
    fail("the ONNX checker rejects the exported graph: {}", e.what());
  }
  model.mutable_graph()->clear_value_info();  // inferred intermediates: runtimes infer them too
}

}  // namespace

::onnx::ModelProto build_onnx_model(const LoadedModel& loaded, const std::string& source,
                                    const OnnxExportOptions& options) {
  const bool flip_average = options.flip_average.value_or(loaded.spec.flip_average);
  ::onnx::ModelProto model;
  model.set_ir_version(::onnx::IR_VERSION);
  model.set_producer_name("faceage");
  model.set_producer_version(kVersion);
  model.set_doc_string("faceage age network (" + loaded.spec.network.architecture +
                       "); inputs, outputs and preprocessing: faceage docs/deploy.md");
  ::onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpsetVersion);
  ::onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("faceage_" + loaded.spec.network.architecture);
  try {
    torch::NoGradGuard no_grad;
    GraphBuilder builder(*graph);
    emit_prediction_graph(builder, *loaded.network,
                          {loaded.spec.preprocessing.input_size, flip_average, loaded.spec.formulation});
    add_preprocessing_metadata(model, loaded.spec, flip_average);
    if (model.ByteSizeLong() > static_cast<size_t>(INT_MAX))
      fail("the graph is {:.1f} GB, over protobuf's 2 GB limit for one file",
           model.ByteSizeLong() / 1e9);
    check(model);
  } catch (const Error& e) {
    fail("{}: {}", source, e.what());
  }
  return model;
}

void export_onnx(const LoadedModel& model, const std::string& source, const std::string& path,
                 const OnnxExportOptions& options) {
  const ::onnx::ModelProto proto = build_onnx_model(model, source, options);
  write_file_atomically(path, [&](std::ostream& out) {
    if (!proto.SerializeToOstream(&out)) fail("{}: could not write the ONNX model", path);
  });
}

}  // namespace faceage::onnx_export
