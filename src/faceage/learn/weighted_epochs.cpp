#include "faceage/learn/weighted_epochs.h"

#include <algorithm>
#include <cmath>

#include "faceage/core/error.h"
#include "faceage/data/loader.h"
#include "faceage/data/seeded_random.h"

namespace faceage {

WeightedEpochs::WeightedEpochs(std::vector<WeightedSet> sets, uint64_t shuffle_seed)
    : sets_(std::move(sets)), shuffle_seed_(shuffle_seed) {
  for (size_t s = 0; s < sets_.size(); ++s) {
    if (!(sets_[s].weight >= 0) || !std::isfinite(sets_[s].weight))
      fail("set {}: weight {} must be a finite number >= 0", s + 1, sets_[s].weight);
    const size_t n = sets_[s].rows, k = drawn(s);
    copies_.push_back(n == 0 ? 1 : std::max<size_t>(1, (k + n - 1) / n));
  }
}

size_t WeightedEpochs::drawn(size_t set) const {
  return static_cast<size_t>(std::llround(sets_.at(set).weight * static_cast<double>(sets_[set].rows)));
}

bool WeightedEpochs::plain() const {
  for (const WeightedSet& set : sets_)
    if (set.weight != 1.0) return false;
  return true;
}

std::vector<Sample> WeightedEpochs::loader_rows(const std::vector<Sample>& train) const {
  size_t total = 0;
  for (const WeightedSet& set : sets_) total += set.rows;
  if (total != train.size())
    fail("weighted epochs: the sets hold {} train rows, the train list {}", total, train.size());
  std::vector<Sample> rows;
  size_t begin = 0;
  for (size_t s = 0; s < sets_.size(); ++s) {
    for (size_t copy = 0; copy < copies_[s]; ++copy)
      rows.insert(rows.end(), train.begin() + begin, train.begin() + begin + sets_[s].rows);
    begin += sets_[s].rows;
  }
  return rows;
}

std::vector<size_t> WeightedEpochs::set_of_loader_rows() const {
  std::vector<size_t> sets;
  for (size_t s = 0; s < sets_.size(); ++s) sets.insert(sets.end(), copies_[s] * sets_[s].rows, s);
  return sets;
}

size_t WeightedEpochs::epoch_size() const {
  size_t size = 0;
  for (size_t s = 0; s < sets_.size(); ++s) size += drawn(s);
  return size;
}

std::vector<size_t> WeightedEpochs::order(uint64_t epoch) const {
  std::vector<size_t> chosen;
  chosen.reserve(epoch_size());
  size_t offset = 0;  // the set's first loader row
  for (size_t s = 0; s < sets_.size(); ++s) {
    const size_t n = sets_[s].rows, k = drawn(s);
    const size_t passes = n > 0 ? k / n : 0, rest = n > 0 ? k % n : 0;
    for (size_t pass = 0; pass < passes; ++pass)
      for (size_t row = 0; row < n; ++row) chosen.push_back(offset + pass * n + row);
    if (rest > 0) {
      // Which rows make the partial pass: seeded by the set's seed and the epoch.
      const std::vector<size_t> pick =
          epoch_order(n, mix_seeds({sets_[s].seed, 0x5e7}), epoch, true);
      for (size_t i = 0; i < rest; ++i) chosen.push_back(offset + passes * n + pick[i]);
    }
    offset += copies_[s] * n;
  }
  const std::vector<size_t> shuffle = epoch_order(chosen.size(), shuffle_seed_, epoch, true);
  std::vector<size_t> order(chosen.size());
  for (size_t i = 0; i < shuffle.size(); ++i) order[i] = chosen[shuffle[i]];
  return order;
}

}  // namespace faceage
