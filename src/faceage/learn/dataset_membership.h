#pragma once
// Several datasets in one run: which set each row of a sample list came from, so
// validation and `faceage eval` can score every set on its own as well as all together.
#include <string>
#include <vector>

#include "faceage/learn/evaluation.h"
#include "faceage/learn/metrics.h"

namespace faceage {

struct DatasetMembership {
  std::vector<std::string> names;  // in configuration order
  std::vector<size_t> set_of_row;  // parallel to the sample list: an index into names
};

// Rows in blocks: `counts[i]` rows of set i, set after set.
DatasetMembership membership_of_blocks(const std::vector<std::string>& names,
                                       const std::vector<size_t>& counts);

// The predictions of set `set`'s rows (predictions.sample_indices index the sample list).
// Throws faceage::Error for a sample index the membership does not cover.
Predictions predictions_of_set(const Predictions& predictions,
                               const DatasetMembership& membership, size_t set);

struct SetMetrics {
  std::string name;
  AgeMetrics metrics;
};

// MAE and CA(3/5/7) of each set that has predictions, in set order.
std::vector<SetMetrics> metrics_per_set(const Predictions& predictions,
                                        const DatasetMembership& membership);

}  // namespace faceage
