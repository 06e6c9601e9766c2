#pragma once
// Content deduplication: the same image file twice (under any name) is kept once, before
// splitting, or a copy in validation would score a photo the model trained on.
// UTKFace has hundreds of such copies, many with different age labels.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faceage/data/sample.h"

namespace faceage {

// What to do with copies whose labels disagree (age, or a known gender/ethnicity).
enum class LabelConflictPolicy {
  keep_first,  // keep the first row in dataset order, as for agreeing copies
  drop_all,    // no one knows which label is right: drop every copy
};

// 64-bit FNV-1a of the bytes; with the file size it identifies content (equal hashes are
// confirmed byte by byte before two files count as copies).
uint64_t content_hash(const std::string& bytes);

// Each file's content_hash and size, read on `threads` threads (results by index); a file
// that cannot be read has no hash and the error's message.
struct FileHash {
  std::optional<uint64_t> hash;
  size_t size = 0;
  std::string error;
};
std::vector<FileHash> hash_files(const std::vector<std::string>& paths, int threads);

// Copies whose labels disagree: age differs, or both know the gender (ethnicity) and differ.
bool labels_conflict(const Sample& a, const Sample& b);

struct DuplicateGroup {
  std::vector<Sample> samples;  // in dataset order; the first is the one kept_first keeps
};

struct DeduplicationReport {
  static constexpr size_t kMaxExamples = 10;

  size_t input_samples = 0;
  size_t kept_samples = 0;
  size_t duplicate_groups = 0;    // contents that occur more than once
  size_t copies_removed = 0;      // rows dropped as copies of a kept row
  size_t conflicting_groups = 0;  // duplicate groups whose labels disagree
  size_t conflict_rows_dropped = 0;  // rows dropped by LabelConflictPolicy::drop_all
  size_t unreadable = 0;          // rows whose file cannot be read: dropped
  std::vector<DuplicateGroup> conflict_examples;   // the first kMaxExamples
  std::vector<std::string> unreadable_examples;    // "path: reason"

  // One line for a log: "20213 rows -> 19895 kept: 317 duplicate groups (218 with
  // conflicting labels, e.g. ...)".
  std::string summary() const;
};

struct DeduplicationResult {
  std::vector<Sample> samples;  // dataset order preserved
  DeduplicationReport report;
};

// Reads every image file once (on `threads` threads) and keeps one row per content.
// A file that cannot be read is dropped and counted, not fatal.
DeduplicationResult deduplicate_by_content(const std::vector<Sample>& samples,
                                           LabelConflictPolicy policy, int threads = 2);

}  // namespace faceage
