#include "numpy_image.h"

#include <string>

#include <opencv2/imgproc.hpp>
#include <pybind11/numpy.h>

namespace py = pybind11;

namespace faceage::python {
namespace {

std::string shape_text(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t axis = 0; axis < array.ndim(); ++axis)
    text += (axis ? ", " : "") + std::to_string(array.shape(axis));
  return text + (array.ndim() == 1 ? ",)" : ")");
}

}  // namespace

cv::Mat bgr_image_from_rgb_array(const py::handle& image) {
  // Only arrays: a list of lists or a PIL image would need a guess at its dtype.
  if (!py::isinstance<py::array>(image))
    throw py::value_error("image: expected a NumPy array (HxWx3 uint8, RGB), got " +
                          std::string(py::str(py::type::of(image).attr("__name__"))) +
                          " (numpy.asarray(pil_image) converts a PIL image)");
  const py::array array = py::reinterpret_borrow<py::array>(image);
  if (!array.dtype().is(py::dtype::of<uint8_t>()))
    throw py::value_error("image: expected dtype uint8 (8-bit RGB), got " +
                          std::string(py::str(array.dtype())) + " of shape " + shape_text(array));
  if (array.ndim() != 3)
    throw py::value_error("image: expected an HxWx3 RGB array, got " +
                          std::to_string(array.ndim()) + " dimensions, shape " + shape_text(array));
  if (array.shape(2) != 3)
    throw py::value_error("image: expected 3 channels (RGB), got " +
                          std::to_string(array.shape(2)) + ", shape " + shape_text(array));
  if (array.shape(0) == 0 || array.shape(1) == 0)
    throw py::value_error("image: no pixels, shape " + shape_text(array));

  const int rows = static_cast<int>(array.shape(0)), cols = static_cast<int>(array.shape(1));
  cv::Mat bgr(rows, cols, CV_8UC3);
  const py::ssize_t row_step = array.strides(0), pixel_step = array.strides(1),
                    channel_step = array.strides(2);
  const auto* data = static_cast<const uint8_t*>(array.data());
  if (pixel_step == 3 && channel_step == 1 && row_step >= 3 * cols) {
    // Packed rows (C-contiguous, or rows of a larger array): OpenCV swaps the channels.
    const cv::Mat rgb(rows, cols, CV_8UC3, const_cast<uint8_t*>(data),
                      static_cast<size_t>(row_step));
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    return bgr;
  }
  for (int y = 0; y < rows; ++y) {
    auto* out = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < cols; ++x, out += 3) {
      const uint8_t* pixel = data + y * row_step + x * pixel_step;
      out[0] = pixel[2 * channel_step];
      out[1] = pixel[channel_step];
      out[2] = pixel[0];
    }
  }
  return bgr;
}

}  // namespace faceage::python
