#include "faceage/io/image_header.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace faceage {
namespace {

uint32_t big_endian(const std::string& b, size_t at, int bytes) {
  uint32_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(b[at + i]);
  return value;
}

uint32_t little_endian(const std::string& b, size_t at, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(b[at + i]);
  return value;
}

bool starts_with(const std::string& b, size_t at, const char* text) {
  const size_t n = std::strlen(text);
  return b.size() >= at + n && b.compare(at, n, text) == 0;
}

std::optional<cv::Size> size_of(uint64_t width, uint64_t height) {
  const uint64_t kMax = 1u << 30;  // keeps int arithmetic safe; the pixel limit decides
  return cv::Size(static_cast<int>(std::min(width, kMax)), static_cast<int>(std::min(height, kMax)));
}

std::optional<cv::Size> jpeg_size(const std::string& b) {
  size_t at = 2;
  while (at + 9 < b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) {  // stray bytes: libjpeg skips them too
      ++at;
      continue;
    }
    const unsigned char marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    const bool start_of_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) return size_of(big_endian(b, at + 7, 2), big_endian(b, at + 5, 2));
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;
      continue;
    }
    at += 2 + big_endian(b, at + 2, 2);  // skip the segment
  }
  return std::nullopt;
}

// TIFF: ImageWidth (256) and ImageLength (257) of the first image file directory.
std::optional<cv::Size> tiff_size(const std::string& b) {
  const bool little = b[0] == 'I';
  const auto read = [&](size_t at, int bytes) {
    return little ? little_endian(b, at, bytes) : big_endian(b, at, bytes);
  };
  const uint64_t directory = read(4, 4);
  if (directory + 2 > b.size()) return std::nullopt;
  const uint64_t entries = read(directory, 2);
  uint64_t width = 0, height = 0;
  for (uint64_t i = 0; i < entries && directory + 2 + 12 * (i + 1) <= b.size(); ++i) {
    const size_t entry = directory + 2 + 12 * i;
    const uint32_t tag = read(entry, 2), type = read(entry + 2, 2);
    if (tag != 256 && tag != 257) continue;
    const uint32_t value = type == 3 ? read(entry + 8, 2) : type == 4 ? read(entry + 8, 4) : 0;
    (tag == 256 ? width : height) = value;
  }
  if (width == 0 || height == 0) return std::nullopt;
  return size_of(width, height);
}

// Netpbm P1..P6: "P6 <width> <height> ...", whitespace and # comments between the fields.
std::optional<cv::Size> pnm_size(const std::string& b) {
  size_t at = 2;
  constexpr uint64_t kSaturated = uint64_t{1} << 40;
  uint64_t numbers[2] = {0, 0};
  for (uint64_t& number : numbers) {
    while (at < b.size() && (std::isspace(static_cast<unsigned char>(b[at])) || b[at] == '#')) {
      if (b[at] == '#')
        while (at < b.size() && b[at] != '\n' && b[at] != '\r') ++at;  // as OpenCV ends one
      else
        ++at;
    }
    // Every digit counts, leading zeros too: OpenCV reads the whole run, so stopping
    // early would let "0000000008109..." pass as 8 rows. Saturate instead of wrapping.
    const size_t start = at;
    while (at < b.size() && std::isdigit(static_cast<unsigned char>(b[at])))
      number = std::min<uint64_t>(number * 10 + static_cast<uint64_t>(b[at++] - '0'), kSaturated);
    if (at == start) return std::nullopt;
    // OpenCV swallows the character that ends a number, whatever it is: "30000#30000"
    // is 30000 x 30000 to it, not a comment. Netpbm ends numbers with whitespace; a header
    // that does not is refused rather than read two ways.
    if (at < b.size() && !std::isspace(static_cast<unsigned char>(b[at]))) return std::nullopt;
  }
  return size_of(numbers[0], numbers[1]);
}

}  // namespace

std::optional<cv::Size> declared_image_size(const std::string& b) {
  if (starts_with(b, 0, "\x89PNG\r\n\x1a\n") && b.size() >= 24 && starts_with(b, 12, "IHDR"))
    return size_of(big_endian(b, 16, 4), big_endian(b, 20, 4));
  if (b.size() >= 4 && static_cast<unsigned char>(b[0]) == 0xFF &&
      static_cast<unsigned char>(b[1]) == 0xD8)
    return jpeg_size(b);
  if ((starts_with(b, 0, "GIF87a") || starts_with(b, 0, "GIF89a")) && b.size() >= 10)
    return size_of(little_endian(b, 6, 2), little_endian(b, 8, 2));
  if (starts_with(b, 0, "BM") && b.size() >= 26) {
    const int32_t height = static_cast<int32_t>(little_endian(b, 22, 4));
    return size_of(little_endian(b, 18, 4), static_cast<uint64_t>(height < 0 ? -int64_t{height} : height));
  }
  if (b.size() >= 8 && (b.compare(0, 4, std::string("II*\0", 4)) == 0 ||
                        b.compare(0, 4, std::string("MM\0*", 4)) == 0))
    return tiff_size(b);
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return pnm_size(b);
  if (starts_with(b, 0, "RIFF") && starts_with(b, 8, "WEBP") && b.size() >= 30) {
    if (starts_with(b, 12, "VP8X")) return size_of(little_endian(b, 24, 3) + 1, little_endian(b, 27, 3) + 1);
    if (starts_with(b, 12, "VP8L")) {
      const uint32_t bits = little_endian(b, 21, 4);
      return size_of((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (starts_with(b, 12, "VP8 ")) return size_of(little_endian(b, 26, 2) & 0x3FFF, little_endian(b, 28, 2) & 0x3FFF);
  }
  return std::nullopt;
}

int64_t max_image_pixels() {
  if (const char* env = std::getenv("FACEAGE_MAX_IMAGE_PIXELS"); env && *env) {
    char* end = nullptr;
    const long long value = std::strtoll(env, &end, 10);
    if (end && *end == '\0' && value > 0) return value;
  }
  return 100'000'000;
}

}  // namespace faceage
