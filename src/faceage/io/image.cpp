#include "faceage/io/image.h"

#include <filesystem>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"

namespace faceage {

cv::Mat decode_image(const std::string& bytes, const std::string& source) {
  if (bytes.empty()) fail("{}: empty file, not an image", source);
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
