#include "faceage/model/training_fingerprint.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "faceage/core/error.h"

namespace faceage {
namespace {

// FNV-1a is a weak mixer in its high bits; splitmix64's finaliser spreads every input bit
// before the two probe hashes are cut from it (double hashing: probe i = h1 + i * h2).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

template <typename Visit>
void for_each_probe(uint64_t hash, size_t bit_count, int probes, Visit visit) {
  const uint64_t h1 = mix(hash);
  const uint64_t h2 = mix(h1 ^ 0x5851f42d4c957f2dull) | 1;  // odd: never a zero step
  for (int i = 0; i < probes; ++i)
    visit(static_cast<size_t>((h1 + static_cast<uint64_t>(i) * h2) % bit_count));
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t chunk = 0;
    for (size_t j = 0; j < 3; ++j)
      chunk = chunk << 8 | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    for (size_t j = 0; j < 4; ++j)
      out += j <= n ? kAlphabet[(chunk >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

// The bytes of base64 text; `ok` is false for a length that is not a multiple of 4, a
// character outside the alphabet or misplaced padding.
std::string unbase64(const std::string& text, bool& ok) {
  ok = text.size() % 4 == 0;
  std::string out;
  for (size_t i = 0; ok && i < text.size(); i += 4) {
    uint32_t chunk = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      uint32_t value = 0;
      if (c == '=' && j >= 2) {
        ++padding;
      } else if (const char* at = std::strchr(kAlphabet, c); at && c != '\0' && padding == 0) {
        value = static_cast<uint32_t>(at - kAlphabet);
      } else {
        ok = false;
      }
      chunk = chunk << 6 | value;
    }
    for (int j = 0; j < 3 - padding; ++j) out += static_cast<char>((chunk >> (16 - 8 * j)) & 0xff);
  }
  return out;
}

}  // namespace

TrainingFingerprint TrainingFingerprint::from_hashes(const std::vector<uint64_t>& hashes) {
  TrainingFingerprint fingerprint;
  const double wanted = std::ceil(kBitsPerImage * static_cast<double>(std::max<size_t>(1, hashes.size())));
  fingerprint.bits_.assign(static_cast<size_t>(wanted + 63) / 64, 0);
  fingerprint.images_ = hashes.size();
  for (uint64_t hash : hashes)
    for_each_probe(hash, fingerprint.bits(), fingerprint.probes_,
                   [&](size_t bit) { fingerprint.bits_[bit / 64] |= uint64_t{1} << (bit % 64); });
  return fingerprint;
}

bool TrainingFingerprint::contains(uint64_t hash) const {
  if (bits_.empty()) return false;
  bool all = true;
  for_each_probe(hash, bits(), probes_, [&](size_t bit) {
    all = all && (bits_[bit / 64] >> (bit % 64) & 1u);
  });
  return all;
}

bool TrainingFingerprint::can_merge(const TrainingFingerprint& other) const {
  return bits_.size() == other.bits_.size() && probes_ == other.probes_;
}

void TrainingFingerprint::merge(const TrainingFingerprint& other) {
  if (!can_merge(other))
    fail("training fingerprints of {} and {} bits cannot be merged", bits(), other.bits());
  for (size_t i = 0; i < bits_.size(); ++i) bits_[i] |= other.bits_[i];
  images_ = std::max(images_, other.images_);  // a bound, not a count: the sets may overlap
}

std::string TrainingFingerprint::to_text() const {
  std::string bytes(bits_.size() * 8, '\0');
  for (size_t w = 0; w < bits_.size(); ++w)
    for (size_t b = 0; b < 8; ++b) bytes[w * 8 + b] = static_cast<char>(bits_[w] >> (8 * b) & 0xff);
  return nlohmann::json{{"images", images_},
                        {"bits", bits()},
                        {"probes", probes_},
                        {"hash", "fnv1a64"},
                        {"filter", base64(bytes)}}
      .dump();
}

TrainingFingerprint TrainingFingerprint::from_text(const std::string& text, const std::string& source) {
  TrainingFingerprint fingerprint;
  try {
    const nlohmann::json in = nlohmann::json::parse(text);
    if (in.at("hash").get<std::string>() != "fnv1a64")
      fail("{}: training fingerprint uses hash '{}' (this faceage knows fnv1a64)", source,
           in.at("hash").get<std::string>());
    fingerprint.images_ = in.at("images").get<size_t>();
    fingerprint.probes_ = in.at("probes").get<int>();
    const size_t bit_count = in.at("bits").get<size_t>();
    bool ok = false;
    const std::string bytes = unbase64(in.at("filter").get<std::string>(), ok);
    if (!ok || bit_count == 0 || bit_count % 64 != 0 || bytes.size() * 8 != bit_count ||
        fingerprint.probes_ < 1 || fingerprint.probes_ > 64)
      fail("{}: training fingerprint is malformed ({} bits declared, {} bytes of filter{})",
           source, bit_count, bytes.size(), ok ? "" : ", not base64");
    fingerprint.bits_.assign(bit_count / 64, 0);
    for (size_t w = 0; w < fingerprint.bits_.size(); ++w)
      for (size_t b = 0; b < 8; ++b)
        fingerprint.bits_[w] |= uint64_t{static_cast<unsigned char>(bytes[w * 8 + b])} << (8 * b);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: training fingerprint is malformed ({})", source, e.what());
  }
  return fingerprint;
}

}  // namespace faceage
