#pragma once
// A compact record of which images a model was trained on: a Bloom filter of their
// content hashes (64-bit FNV-1a of the file's bytes, data/deduplicate.h content_hash).
// `faceage eval` asks it whether an evaluated file was a training image, so a score on
// training images is never mistaken for held-out accuracy.
//
// Sizing: 14.4 bits and 10 probes per image give a false-positive rate of about 1e-3
// (-ln p / ln(2)^2 bits, ln 2 * bits/image probes); no false negatives. 20k images take
// about 36 KB, 48 KB as base64 text in the model file's metadata.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faceage {

class TrainingFingerprint {
 public:
  static constexpr double kBitsPerImage = 14.4;
  static constexpr int kProbes = 10;
  static constexpr double kDesignFalsePositiveRate = 1e-3;

  TrainingFingerprint() = default;
  // Every hash is added; duplicates count once in the filter but images() counts rows.
  static TrainingFingerprint from_hashes(const std::vector<uint64_t>& hashes);

  // True for every hash added; for another hash, true with about the design rate.
  bool contains(uint64_t hash) const;
  // Adds the other filter's images (same size and probes only: filters built for the
  // same number of images, e.g. models of one training run).
  bool can_merge(const TrainingFingerprint& other) const;
  void merge(const TrainingFingerprint& other);

  size_t images() const { return images_; }
  size_t bits() const { return bits_.size() * 64; }
  bool empty() const { return bits_.empty(); }

  // A JSON object as text: {"images":N,"bits":M,"probes":K,"hash":"fnv1a64",
  // "filter":"<base64 of the bit words, little-endian>"}.
  std::string to_text() const;
  // Throws faceage::Error naming `source` when the text is not such an object.
  static TrainingFingerprint from_text(const std::string& text, const std::string& source);

 private:
  std::vector<uint64_t> bits_;
  size_t images_ = 0;
  int probes_ = kProbes;
};

}  // namespace faceage
