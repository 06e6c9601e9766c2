#include "faceage/learn/pretrained.h"

#include "faceage/core/error.h"

namespace faceage {
namespace {

// The layers make_age_net replaces or adds on top of the backbone.
bool is_head(const std::string& key) {
  for (const char* prefix : {"fc.", "classifier.", "gender_fc.", "ethnicity_fc."})
    if (key.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

nn::LoadReport load_pretrained(const std::string& path, AgeNet& network) {
  const nn::LoadReport report = nn::load_weights(path, network, /*allow_partial=*/true);
  size_t backbone_missing = 0, backbone_mismatched = 0;
  for (const std::string& key : report.missing) backbone_missing += !is_head(key);
  for (const nn::ShapeMismatch& m : report.mismatched) backbone_mismatched += !is_head(m.key);
  if (backbone_missing + backbone_mismatched > 0)
    fail("{}: pretrained weights do not fit a {} backbone ({} tensors missing, {} of another "
         "shape: {}); is the file for another architecture?",
         path, network.options().architecture, backbone_missing, backbone_mismatched,
         report.summary());
  return report;
}

}  // namespace faceage
