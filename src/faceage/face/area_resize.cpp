#include "faceage/face/area_resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>

namespace faceage {
namespace {

// The source pixels that cover each output pixel along one axis, with the fraction of
// the output cell each covers (INTER_AREA's weights: a cell is source/destination wide,
// and slivers under 1e-3 of a pixel are dropped as OpenCV drops them).
struct Taps {
  std::vector<int> first;  // per output index, where its taps start; one past the end last
  std::vector<int> source;
  std::vector<float> weight;

  Taps(int source_size, int destination_size) {
    const double scale = static_cast<double>(source_size) / destination_size;
    for (int d = 0; d < destination_size; ++d) {
      first.push_back(static_cast<int>(source.size()));
      const double begin = d * scale, end = std::min(begin + scale, double(source_size));
      const double cell = end - begin;
      for (int i = static_cast<int>(std::floor(begin)); i < end; ++i) {
        const double covered = std::min(end, i + 1.0) - std::max(begin, double(i));
        if (covered <= 1e-3) continue;
        source.push_back(std::min(i, source_size - 1));
        weight.push_back(static_cast<float>(covered / cell));
      }
    }
    first.push_back(static_cast<int>(source.size()));
  }
};

template <typename T>
void downscale(const cv::Mat& source, cv::Mat& destination) {
  constexpr int kChannels = 3;
  const Taps rows(source.rows, destination.rows), cols(source.cols, destination.cols);
  const int width = source.cols * kChannels;
  // Output rows are independent: large images split them over the threads (a crop is
  // already one task among the threads, and runs here on its own).
  at::parallel_for(0, destination.rows, 16, [&](int64_t begin, int64_t end) {
    std::vector<float> sums(static_cast<size_t>(width));
    for (int64_t y = begin; y < end; ++y) {
      // Pass 1: the weighted sum of this output row's source rows.
      std::fill(sums.begin(), sums.end(), 0.0f);
      for (int t = rows.first[y]; t < rows.first[y + 1]; ++t) {
        const T* row = source.ptr<T>(rows.source[t]);
        const float w = rows.weight[t];
        for (int k = 0; k < width; ++k) sums[k] += w * static_cast<float>(row[k]);
      }
      // Pass 2: each output pixel the weighted sum of its columns.
      T* out = destination.ptr<T>(static_cast<int>(y));
      for (int x = 0; x < destination.cols; ++x) {
        float pixel[kChannels] = {0, 0, 0};
        for (int t = cols.first[x]; t < cols.first[x + 1]; ++t) {
          const float* in = &sums[static_cast<size_t>(cols.source[t]) * kChannels];
          for (int c = 0; c < kChannels; ++c) pixel[c] += cols.weight[t] * in[c];
        }
        for (int c = 0; c < kChannels; ++c) out[x * kChannels + c] = cv::saturate_cast<T>(pixel[c]);
      }
    }
  });
}

}  // namespace

void area_downscale(const cv::Mat& source, cv::Mat& destination, cv::Size size) {
  const bool supported = source.type() == CV_8UC3 || source.type() == CV_32FC3;
  if (!supported || size.width > source.cols || size.height > source.rows || size.area() == 0) {
    cv::resize(source, destination, size, 0, 0, cv::INTER_AREA);
    return;
  }
  destination.create(size, source.type());
  if (source.type() == CV_8UC3)
    downscale<uchar>(source, destination);
  else
    downscale<float>(source, destination);
}

}  // namespace faceage
