#include "faceage/learn/training_images_fingerprint.h"

#include <algorithm>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/data/deduplicate.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace {

// Each file's content hash, read on `threads` threads (every threads-th file each);
// nullopt where the file cannot be read.
std::vector<std::optional<uint64_t>> content_hashes(const std::vector<std::string>& paths,
                                                    int threads) {
  std::vector<std::optional<uint64_t>> hashes(paths.size());
  const size_t workers = static_cast<size_t>(std::max(1, threads));
  const auto work = [&](size_t first) {
    for (size_t i = first; i < paths.size(); i += workers) {
      try {
        hashes[i] = content_hash(read_file_bytes(paths[i]));
      } catch (const Error&) {
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  return hashes;
}

// 1234567 -> "1,234,567".
std::string with_thousands(size_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3)
    digits.insert(static_cast<size_t>(at), ",");
  return digits;
}

}  // namespace

TrainingFingerprint fingerprint_of_images(const std::vector<std::string>& paths, int threads) {
  std::vector<uint64_t> readable;
  for (const std::optional<uint64_t>& hash : content_hashes(paths, threads))
    if (hash) readable.push_back(*hash);
  return TrainingFingerprint::from_hashes(readable);
}

std::string TrainingSetMatches::describe(size_t found, size_t total) {
  const double percent = total ? 100.0 * static_cast<double>(found) / static_cast<double>(total) : 0;
  return fmt::format("{} of {} images ({:.1f}%)", with_thousands(found), with_thousands(total),
                     percent);
}

TrainingSetMatches match_training_images(const TrainingFingerprint& fingerprint,
                                         const std::vector<std::string>& paths, int threads) {
  TrainingSetMatches matches;
  matches.in_training.assign(paths.size(), false);
  const std::vector<std::optional<uint64_t>> hashes = content_hashes(paths, threads);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!hashes[i]) {
      ++matches.unreadable;
    } else if (fingerprint.contains(*hashes[i])) {
      matches.in_training[i] = true;
      ++matches.found;
    }
  }
  return matches;
}

}  // namespace faceage
