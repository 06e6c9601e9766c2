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

  // The weights are computed as OpenCV computes them, so that sums in OpenCV's order
  // (8-bit images below) round as OpenCV's do.
  Taps(int source_size, int destination_size) {
    const double scale = static_cast<double>(source_size) / destination_size;
    for (int d = 0; d < destination_size; ++d) {
      first.push_back(static_cast<int>(source.size()));
      const double begin = d * scale, end = begin + scale;
      const double cell = std::min(scale, source_size - begin);
      int whole_begin = static_cast<int>(std::ceil(begin));
      const int whole_end = std::min(static_cast<int>(std::floor(end)), source_size - 1);
      whole_begin = std::min(whole_begin, whole_end);
      if (whole_begin - begin > 1e-3) add(whole_begin - 1, (whole_begin - begin) / cell);
      for (int i = whole_begin; i < whole_end; ++i) add(i, 1.0 / cell);
      if (end - whole_end > 1e-3) add(whole_end, std::min(std::min(end - whole_end, 1.0), cell) / cell);
    }
    first.push_back(static_cast<int>(source.size()));
  }
  void add(int index, double w) {
    source.push_back(index);
    weight.push_back(static_cast<float>(w));
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

// 8-bit images in OpenCV's order: each source row summed along x first, then the rows,
// so that every sum, and its rounding to 8 bits, is OpenCV's to the bit (a level off by one
// at a handful of pixels moved P-Net's candidates enough to move 2 of 345 FairFace boxes).
void downscale_exact(const cv::Mat& source, cv::Mat& destination) {
  constexpr int kChannels = 3;
  const Taps rows(source.rows, destination.rows), cols(source.cols, destination.cols);
  const int width = destination.cols * kChannels;
  at::parallel_for(0, destination.rows, 16, [&](int64_t begin, int64_t end) {
    std::vector<float> along_x(static_cast<size_t>(width)), sums(static_cast<size_t>(width));
    int summed_row = -1;  // the source row along_x holds
    for (int64_t y = begin; y < end; ++y) {
      std::fill(sums.begin(), sums.end(), 0.0f);
      for (int t = rows.first[y]; t < rows.first[y + 1]; ++t) {
        if (rows.source[t] != summed_row) {
          summed_row = rows.source[t];
          const uchar* row = source.ptr<uchar>(summed_row);
          for (int x = 0; x < destination.cols; ++x)
            for (int c = 0; c < kChannels; ++c) {
              float sum = 0;
              for (int k = cols.first[x]; k < cols.first[x + 1]; ++k)
                sum += static_cast<float>(row[cols.source[k] * kChannels + c]) * cols.weight[k];
              along_x[x * kChannels + c] = sum;
            }
        }
        const float w = rows.weight[t];
        for (int k = 0; k < width; ++k) sums[k] += w * along_x[k];
      }
      uchar* out = destination.ptr<uchar>(static_cast<int>(y));
      for (int k = 0; k < width; ++k) out[k] = cv::saturate_cast<uchar>(sums[k]);
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
    downscale_exact(source, destination);
  else
    downscale<float>(source, destination);
}

}  // namespace faceage
