#pragma once
// A NumPy photo as faceage's pipeline takes it: an HxWx3 uint8 array in RGB order (as PIL,
// imageio and matplotlib give) becomes an 8-bit BGR cv::Mat (as OpenCV reads files).
#include <opencv2/core.hpp>
#include <pybind11/pybind11.h>

namespace faceage::python {

// Any strides (slices, transposes, negative steps); the pixels are copied. Throws
// pybind11::value_error with one line naming what is wrong: not an array, a dtype other
// than uint8, a shape other than HxWx3, no pixels.
cv::Mat bgr_image_from_rgb_array(const pybind11::handle& image);

}  // namespace faceage::python
