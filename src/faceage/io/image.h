#pragma once
// Image decoding with clear errors. Images are 8-bit BGR cv::Mat (OpenCV's order)
// inside the pipeline; conversion to the model's colour order happens in one place
// (faceage/infer/preprocess.h).
#include <string>

#include <opencv2/core.hpp>

namespace faceage {

// Decodes a file into 8-bit, 3-channel BGR: grayscale is expanded, alpha dropped,
// 16-bit scaled down, EXIF orientation honoured. Throws faceage::Error naming the file.
cv::Mat read_image(const std::string& path);

// The same for bytes already in memory (an HTTP body, a fuzzer input).
cv::Mat decode_image(const std::string& bytes, const std::string& source);

// Writes PNG/JPEG by extension, atomically; throws faceage::Error on failure.
void write_image(const std::string& path, const cv::Mat& image);

}  // namespace faceage
