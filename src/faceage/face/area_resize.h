#pragma once
// Area-averaging downscale (OpenCV's INTER_AREA) done in two separable passes. OpenCV
// resizes by a fractional factor one weighted tap at a time and on one thread: that was
// 2.4 ms of MTCNN's 14.8 per 448 px photo for the pyramid and 2.9 ms for the R- and
// O-Net crops. Here each output row first sums its source rows (contiguous, vectorised),
// then each output pixel its columns; the weights are INTER_AREA's, so float results differ
// from OpenCV's only by float rounding (1e-7). 8-bit images (the pyramid) are summed in
// OpenCV's order and are OpenCV's to the bit.
#include <opencv2/core.hpp>

namespace faceage {

// `source` (CV_8UC3 or CV_32FC3, may be a region of a larger image) averaged down to
// `size` into `destination` (reallocated unless it already has that size and type, so a
// header over other memory is written in place). Sizes larger than the source in either
// direction, and other types, go to cv::resize's INTER_AREA.
void area_downscale(const cv::Mat& source, cv::Mat& destination, cv::Size size);

}  // namespace faceage
