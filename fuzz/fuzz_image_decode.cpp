// Any bytes as an image file: decode_image returns a non-empty 8-bit BGR image or throws
// faceage::Error; anything else (a crash, another exception, a sanitizer report) is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <opencv2/core.hpp>

#include "faceage/core/error.h"
#include "faceage/io/image.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // 4 megapixels instead of 100: the limit is still exercised, each run stays fast.
  ::setenv("FACEAGE_MAX_IMAGE_PIXELS", "4000000", 1);
  cv::setNumThreads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const cv::Mat image =
        faceage::decode_image(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    if (image.empty() || image.type() != CV_8UC3) std::abort();
  } catch (const faceage::Error&) {
  }
  return 0;
}
