#pragma once
// FG-NET: 1002 images of 82 people, labels in the name: 001A02.JPG = subject 001 at age
// 2 (a trailing letter, 001A43a.JPG, marks a second photo at that age). The paper-style
// protocol is leave-one-person-out (split.h: leave_one_subject_out).
#include <optional>
#include <string>

#include "faceage/data/read_report.h"

namespace faceage {

struct FgnetName {
  std::string subject;  // "001"
  int age = 0;
};
// Nothing when the name does not follow {subject}A{age}[letter].jpg (any case).
std::optional<FgnetName> parse_fgnet_name(const std::string& file_name);

// Every *.jpg in the folder, in name order, with subject set for subject-disjoint splits.
ReadResult read_fgnet(const std::string& folder, const ReadOptions& options = {});

}  // namespace faceage
