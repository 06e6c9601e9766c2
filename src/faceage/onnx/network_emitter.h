#pragma once
// An AgeNet as ONNX nodes: its backbone (backbone_emitters.h) and heads (nn/multitask_head.h),
// from a [N, 3, H, W] input to each head's logits, exactly what AgeNet::forward returns.
#include <string>

#include "faceage/nn/age_net.h"
#include "faceage/onnx/graph_builder.h"

namespace faceage::onnx_export {

// Value names of the heads' logits; gender and ethnicity are empty without those heads.
struct NetworkLogits {
  std::string age, gender, ethnicity;
};

// Throws faceage::Error naming the architecture or layer the export does not support.
NetworkLogits emit_age_network(GraphBuilder& graph, const AgeNet& network, const std::string& input);

// The architectures emit_age_network supports (every one make_age_net builds, today).
const std::vector<std::string>& onnx_architectures();

}  // namespace faceage::onnx_export
