#pragma once
// UTKFace: the labels are in the file name, {age}_{gender}_{race}_{datetime}.jpg.chip.jpg
// (aligned & cropped release) or {...}.jpg (in-the-wild release). The faces are already
// aligned, so samples carry no angle or box and the whole image is the face.
#include <optional>
#include <string>

#include "faceage/data/read_report.h"

namespace faceage {

struct UtkfaceLabels {
  int age = 0;
  int gender = 0;
  int ethnicity = 0;
};

// The labels of one file name, or the reason it is malformed, e.g. "4 fields expected,
// 3 found (race missing?)", "stray space", "datetime '...jpg.chip' is not all digits".
struct UtkfaceName {
  std::optional<UtkfaceLabels> labels;
  std::string problem;  // empty when labels is set
};
UtkfaceName parse_utkface_name(const std::string& file_name);

// Every *.jpg in the folder (not recursive), in file-name order. Malformed names are an
// error naming the file, or skipped and counted (options.on_malformed).
ReadResult read_utkface(const std::string& folder, const ReadOptions& options = {});

}  // namespace faceage
