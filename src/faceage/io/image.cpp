#include "faceage/io/image.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image_header.h"

namespace faceage {

namespace {

// libjpeg decodes a cut-off JPEG without an error (the missing rows come out grey), so a
// truncated file would silently give a half-grey face. A complete JPEG ends with the
// end-of-image marker FF D9; the entropy-coded data cannot contain it (FF is stuffed), so
// looking near the end (past any trailing padding) is enough.
bool is_truncated_jpeg(const std::string& bytes) {
  if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF ||
      static_cast<unsigned char>(bytes[1]) != 0xD8)
    return false;  // not a JPEG
  const size_t first = bytes.size() > 4096 ? bytes.size() - 4096 : 2;
  for (size_t i = bytes.size() - 2; i >= first; --i)  // first >= 2: no wrap-around
    if (static_cast<unsigned char>(bytes[i]) == 0xFF && static_cast<unsigned char>(bytes[i + 1]) == 0xD9)
      return false;
  return true;
}

}  // namespace

cv::Mat decode_image(const std::string& bytes, const std::string& source) {
  if (bytes.empty()) fail("{}: empty file, not an image", source);
  if (is_truncated_jpeg(bytes)) fail("{}: truncated JPEG (no end-of-image marker)", source);
  // Only formats whose header size we read are decoded: OpenCV's own limit (2^30 pixels,
  // 3 GB) is fixed when it loads, so a 30000 x 30000 PPM or Sun raster would get through.
  const std::optional<cv::Size> size = declared_image_size(bytes);
  if (!size)
    fail("{}: not a decodable image (not JPEG, PNG, WebP, BMP, TIFF or PNM, or a damaged "
         "header)", source);
  const int64_t pixels = int64_t{size->width} * size->height;
  if (pixels > max_image_pixels())
    fail("{}: declares {}x{} pixels, over the limit of {} (FACEAGE_MAX_IMAGE_PIXELS)", source,
         size->width, size->height, max_image_pixels());
  if (pixels == 0) fail("{}: declares an empty {}x{} image", source, size->width, size->height);
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                       const_cast<char*>(bytes.data()));
  cv::Mat decoded;
  try {
    // IMREAD_COLOR applies EXIF orientation, expands grayscale and drops alpha;
    // IMREAD_ANYDEPTH is left out so 16-bit images arrive scaled to 8 bits.
    decoded = cv::imdecode(buffer, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    fail("{}: cannot decode image ({})", source, e.what());
  }
  if (decoded.empty()) fail("{}: not a decodable image (corrupt or unsupported format)", source);
  return decoded;
}

cv::Mat read_image(const std::string& path) {
  if (std::filesystem::is_directory(path)) fail("{}: is a directory, not an image", path);
  return decode_image(read_file_bytes(path), path);
}

void write_image(const std::string& path, const cv::Mat& image) {
  std::string extension = std::filesystem::path(path).extension().string();
  if (extension.empty()) fail("{}: no file extension to choose an image format", path);
  std::vector<unsigned char> encoded;
  bool encoded_ok = false;
  try {
    encoded_ok = cv::imencode(extension, image, encoded);
  } catch (const cv::Exception&) {
    encoded_ok = false;
  }
  if (!encoded_ok) fail("{}: cannot encode an image as '{}'", path, extension);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(encoded.data()),
              static_cast<std::streamsize>(encoded.size()));
  });
}

}  // namespace faceage
