#pragma once
// The training order of a run over several datasets with weights. Each epoch, a set of
// n train rows and weight w contributes k = round(w x n) rows: k / n whole passes, then
// a seeded choice of k mod n rows, a different choice each epoch. All the chosen rows
// are shuffled together. Everything is seeded by (seeds, epoch) alone, so a resumed run
// sees exactly the order an uninterrupted one would; with every weight 1 the order is
// the loader's own (epoch_order over all rows).
//
// A row drawn twice in an epoch must not get the same augmentation twice: the loader
// seeds augmentation by row, so each further pass of a set is its own copy of the rows
// (loader_rows), and the order visits those copies.
#include <cstdint>
#include <vector>

#include "faceage/data/sample.h"

namespace faceage {

struct WeightedSet {
  size_t rows = 0;     // its train rows: a block of the train list, sets in order
  double weight = 1.0;
  uint64_t seed = 0;   // the choice of the partial pass
};

class WeightedEpochs {
 public:
  // `shuffle_seed` shuffles all the chosen rows together (train.seed).
  WeightedEpochs(std::vector<WeightedSet> sets, uint64_t shuffle_seed);

  // Every weight is 1: the loader's plain shuffle of `train` is this order already.
  bool plain() const;
  // The loader's rows for `train` (the sets' blocks in order): each set's block as many
  // times as its passes need (at least once).
  std::vector<Sample> loader_rows(const std::vector<Sample>& train) const;
  // Which set each loader row belongs to.
  std::vector<size_t> set_of_loader_rows() const;
  // The epoch's order: indices into loader_rows, epoch_size() of them.
  std::vector<size_t> order(uint64_t epoch) const;
  size_t epoch_size() const;
  // Rows set `set` contributes per epoch: round(weight x rows).
  size_t drawn(size_t set) const;

 private:
  std::vector<WeightedSet> sets_;
  uint64_t shuffle_seed_;
  std::vector<size_t> copies_;  // per set: blocks in loader_rows
};

}  // namespace faceage
