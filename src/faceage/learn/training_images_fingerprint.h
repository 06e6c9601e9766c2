#pragma once
// From image files to the model file's training fingerprint (model/training_fingerprint.h)
// and back: which evaluated files were training images.
#include <cstddef>
#include <string>
#include <vector>

#include "faceage/model/training_fingerprint.h"

namespace faceage {

// The fingerprint of a train split: each file's content hash (re-read; cheap next to one
// epoch). Unreadable files are left out: the loader skips them too.
TrainingFingerprint fingerprint_of_images(const std::vector<std::string>& paths, int threads = 2);

struct TrainingSetMatches {
  std::vector<bool> in_training;  // per path; false for an unreadable file
  size_t found = 0;               // paths in the fingerprint
  size_t unreadable = 0;

  // "1,573 of 2,000 images (78.7%)".
  static std::string describe(size_t found, size_t total);
};

TrainingSetMatches match_training_images(const TrainingFingerprint& fingerprint,
                                         const std::vector<std::string>& paths, int threads = 2);

}  // namespace faceage
