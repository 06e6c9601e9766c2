#pragma once
// Random numbers that are the same on every platform and standard library: the standard
// distributions and std::shuffle are implementation-defined, so splits, shuffles and
// augmentations use this small SplitMix64 generator instead.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace faceage {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform in [0, n): the high half of a 128-bit product (bias below 2^-64 * n).
  size_t index(size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  bool chance(double probability) { return uniform() < probability; }

 private:
  uint64_t state_;
};

// One seed from several numbers (seed, epoch, sample index...), well mixed, so related
// inputs give unrelated streams.
inline uint64_t mix_seeds(std::initializer_list<uint64_t> parts) {
  uint64_t state = 0x6A09E667F3BCC909ull;
  for (uint64_t part : parts) state = SeededRandom(state ^ part).next();
  return state;
}

// The seed of one sample's augmentation: depends only on (seed, epoch, index), never on
// which thread loads it or when.
inline uint64_t sample_seed(uint64_t seed, uint64_t epoch, uint64_t index) {
  return mix_seeds({seed, epoch, index});
}

// Fisher-Yates, with the same result everywhere for the same generator state.
template <typename T>
void seeded_shuffle(std::vector<T>& items, SeededRandom& random) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[random.index(i)]);
}

}  // namespace faceage
