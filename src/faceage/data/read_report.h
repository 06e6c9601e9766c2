#pragma once
// What a dataset reader does with a malformed row or file name: stop with an error that
// names the file and line (the default), or skip it and count it in a ReadReport.
#include <cstddef>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/data/sample.h"

namespace faceage {

enum class MalformedPolicy { fail, skip };

struct ReadOptions {
  MalformedPolicy on_malformed = MalformedPolicy::fail;
  // Where relative image paths of a list file point; empty: the list file's own folder.
  std::string image_root;
};

struct ReadReport {
  static constexpr size_t kMaxExamples = 10;

  std::string source;  // the file or folder read
  size_t rows_read = 0;     // rows that became samples
  size_t rows_skipped = 0;  // malformed rows or names left out (MalformedPolicy::skip)
  size_t files_ignored = 0; // folder entries that are not images (README, .DS_Store)
  std::vector<std::string> skipped_examples;  // the first kMaxExamples reasons

  void record_skip(std::string reason);
  // "utkface: 20213 rows, 4 malformed skipped (first: ...)"
  std::string summary() const;
};

// The rows of one dataset and what happened while reading them.
struct ReadResult {
  std::vector<Sample> samples;
  ReadReport report;
};

// Throws faceage::Error with the message, or records it as skipped, as options say.
template <typename... Args>
void reject_row(const ReadOptions& options, ReadReport& report,
                fmt::format_string<Args...> format, Args&&... args) {
  std::string message = fmt::format(format, std::forward<Args>(args)...);
  if (options.on_malformed == MalformedPolicy::fail) throw Error(message);
  report.record_skip(std::move(message));
}

}  // namespace faceage
