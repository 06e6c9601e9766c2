#include "faceage/data/read_report.h"

namespace faceage {

void ReadReport::record_skip(std::string reason) {
  ++rows_skipped;
  if (skipped_examples.size() < kMaxExamples) skipped_examples.push_back(std::move(reason));
}

std::string ReadReport::summary() const {
  std::string text = fmt::format("{}: {} rows", source, rows_read);
  if (rows_skipped > 0) {
    text += fmt::format(", {} malformed skipped", rows_skipped);
    if (!skipped_examples.empty()) text += fmt::format(" (first: {})", skipped_examples.front());
  }
  if (files_ignored > 0) text += fmt::format(", {} non-image files ignored", files_ignored);
  return text;
}

}  // namespace faceage
