#include "faceage/data/deduplicate.h"

#include <algorithm>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace {

struct Fingerprint {
  uint64_t hash = 0;
  size_t size = 0;
  bool operator<(const Fingerprint& other) const {
    return std::tie(hash, size) < std::tie(other.hash, other.size);
  }
};

std::vector<FileHash> hash_sample_files(const std::vector<Sample>& samples, int threads) {
  std::vector<std::string> paths;
  paths.reserve(samples.size());
  for (const Sample& sample : samples) paths.push_back(sample.image_path);
  return hash_files(paths, threads);
}

// Splits rows with equal fingerprints into groups of byte-identical files (a 64-bit hash
// collision must not merge two different photos).
std::vector<std::vector<size_t>> confirm_identical(const std::vector<Sample>& samples,
                                                   const std::vector<size_t>& candidates) {
  std::vector<std::vector<size_t>> groups;
  std::vector<std::string> contents;
  for (size_t i : candidates) {
    std::string bytes = read_file_bytes(samples[i].image_path);
    const auto same = std::find(contents.begin(), contents.end(), bytes);
    if (same == contents.end()) {
      contents.push_back(std::move(bytes));
      groups.push_back({i});
    } else {
      groups[static_cast<size_t>(same - contents.begin())].push_back(i);
    }
  }
  return groups;
}

std::string describe(const Sample& s) {
  return fmt::format("{} (age {}, gender {}, race {})", s.image_path, s.age, s.gender, s.ethnicity);
}

}  // namespace

std::vector<FileHash> hash_files(const std::vector<std::string>& paths, int threads) {
  std::vector<FileHash> results(paths.size());
  const size_t workers = static_cast<size_t>(std::max(1, threads));
  // Interleaved ranges: each worker takes every workers-th file, results land by index.
  const auto work = [&](size_t first) {
    for (size_t i = first; i < paths.size(); i += workers) {
      try {
        const std::string bytes = read_file_bytes(paths[i]);
        results[i].hash = content_hash(bytes);
        results[i].size = bytes.size();
      } catch (const Error& e) {
        results[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  return results;
}

uint64_t content_hash(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

bool labels_conflict(const Sample& a, const Sample& b) {
  const auto known_and_differ = [](int x, int y) {
    return x != kUnknownLabel && y != kUnknownLabel && x != y;
  };
  return a.age != b.age || known_and_differ(a.gender, b.gender) ||
         known_and_differ(a.ethnicity, b.ethnicity);
}

std::string DeduplicationReport::summary() const {
  std::string text = fmt::format("{} rows -> {} kept: {} duplicate groups, {} copies removed",
                                 input_samples, kept_samples, duplicate_groups, copies_removed);
  if (conflicting_groups > 0) {
    text += fmt::format(", {} groups with conflicting labels", conflicting_groups);
    if (conflict_rows_dropped > 0) text += fmt::format(" ({} rows dropped)", conflict_rows_dropped);
    if (!conflict_examples.empty()) {
      const auto& first = conflict_examples.front().samples;
      text += fmt::format(", e.g. {} = {}", describe(first[0]), describe(first[1]));
    }
  }
  if (unreadable > 0)
    text += fmt::format(", {} unreadable files dropped (first: {})", unreadable,
                        unreadable_examples.front());
  return text;
}

DeduplicationResult deduplicate_by_content(const std::vector<Sample>& samples,
                                           LabelConflictPolicy policy, int threads) {
  DeduplicationResult result;
  DeduplicationReport& report = result.report;
  report.input_samples = samples.size();
  const std::vector<FileHash> files = hash_sample_files(samples, threads);

  std::map<Fingerprint, std::vector<size_t>> rows_by_fingerprint;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!files[i].hash) {
      ++report.unreadable;
      if (report.unreadable_examples.size() < DeduplicationReport::kMaxExamples)
        report.unreadable_examples.push_back(files[i].error);
      continue;
    }
    rows_by_fingerprint[Fingerprint{*files[i].hash, files[i].size}].push_back(i);
  }

  std::vector<bool> keep(samples.size(), false);
  std::vector<std::vector<size_t>> conflicting;  // row indices, each group in dataset order
  for (const auto& [fingerprint, rows] : rows_by_fingerprint) {
    if (rows.size() == 1) {
      keep[rows[0]] = true;
      continue;
    }
    for (const std::vector<size_t>& group : confirm_identical(samples, rows)) {
      if (group.size() == 1) {
        keep[group[0]] = true;
        continue;
      }
      ++report.duplicate_groups;
      const bool conflict = std::any_of(group.begin() + 1, group.end(), [&](size_t i) {
        return labels_conflict(samples[group[0]], samples[i]);
      });
      if (conflict) conflicting.push_back(group);
      if (conflict && policy == LabelConflictPolicy::drop_all) {
        report.conflict_rows_dropped += group.size();
      } else {
        keep[group[0]] = true;  // rows are in dataset order: the first copy stays
        report.copies_removed += group.size() - 1;
      }
    }
  }
  // Examples are the first conflicts in dataset order, not in hash order.
  report.conflicting_groups = conflicting.size();
  std::sort(conflicting.begin(), conflicting.end());
  for (size_t g = 0; g < conflicting.size() && g < DeduplicationReport::kMaxExamples; ++g) {
    DuplicateGroup example;
    for (size_t i : conflicting[g]) example.samples.push_back(samples[i]);
    report.conflict_examples.push_back(std::move(example));
  }
  for (size_t i = 0; i < samples.size(); ++i)
    if (keep[i]) result.samples.push_back(samples[i]);
  report.kept_samples = result.samples.size();
  return result;
}

}  // namespace faceage
