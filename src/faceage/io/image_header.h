#pragma once
// The pixel size an image file declares, read from its header without decoding it, so a
// file declaring 30000 x 30000 pixels (a decompression bomb: a few KB that decode to
// gigabytes) is refused before any memory is spent on it.
#include <cstdint>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace faceage {

// PNG, JPEG, GIF, BMP, WebP, TIFF and PNM (P1-P6) headers; nothing for other formats or
// an unreadable header (decode_image then refuses the file: it cannot check its size).
std::optional<cv::Size> declared_image_size(const std::string& bytes);

// The most pixels an image may declare: FACEAGE_MAX_IMAGE_PIXELS when set, else 100
// megapixels (a 12000 x 8000 photo fits).
int64_t max_image_pixels();

}  // namespace faceage
