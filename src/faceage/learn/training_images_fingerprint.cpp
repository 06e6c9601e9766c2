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
  for (const FileHash& file : hash_files(paths, threads))
    if (file.hash) readable.push_back(*file.hash);
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
  const std::vector<FileHash> files = hash_files(paths, threads);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (!files[i].hash) {
      ++matches.unreadable;
    } else if (fingerprint.contains(*files[i].hash)) {
      matches.in_training[i] = true;
      ++matches.found;
    }
  }
  return matches;
}

}  // namespace faceage
