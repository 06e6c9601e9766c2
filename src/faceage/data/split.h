#pragma once
// Train / validation / test splits that are the same for the same seed on every machine.
#include <cstdint>
#include <vector>

#include "faceage/data/sample.h"

namespace faceage {

struct SplitFractions {
  double train = 0.8;  // the paper's MORPH protocol is 80/20 train/test
  double validation = 0.0;
  double test = 0.2;
};

struct SplitOptions {
  SplitFractions fractions;
  uint64_t seed = 0;
  // Keep every subject's photos on one side. A random image-level split puts the same
  // person in train and test (MORPH has ~4 photos per person), which flatters the MAE.
  // Samples without a subject count as their own subject.
  bool subject_disjoint = false;
};

struct DatasetSplit {
  std::vector<Sample> train;
  std::vector<Sample> validation;
  std::vector<Sample> test;
};

// Image-level: exactly round(fraction * n) samples for train and validation, the rest
// test. Subject-disjoint: whole subjects in seeded random order, each given to the part
// furthest below its target, so fractions hold to within one subject's size.
// Within each part, samples keep their dataset order. Throws faceage::Error when the
// fractions are negative or do not sum to 1.
DatasetSplit split_dataset(const std::vector<Sample>& samples, const SplitOptions& options);

// FG-NET's protocol: one fold per subject, that subject's photos as test, everyone
// else's as train (validation empty); folds in subject order. Throws when a sample has
// no subject.
std::vector<DatasetSplit> leave_one_subject_out(const std::vector<Sample>& samples);

}  // namespace faceage
