// DetectorOptions::separable_resize (area_resize.h) against OpenCV's INTER_AREA, the old
// path: the same faces on real FairFace photos. FACEAGE_RESIZE_PARITY_PHOTOS=270 checks
// every photo (the default, 96, keeps CI time down).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "face_test_support.h"
#include "faceage/face/area_resize.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {

using testing::fairface_photos;
using testing::mtcnn_weights_or_fail;

TEST(AreaDownscale, MatchesOpenCvInterArea) {
  cv::Mat image(97, 131, CV_8UC3);
  cv::randu(image, 0, 256);
  cv::Mat as_float;
  image.convertTo(as_float, CV_32FC3, 1 / 128.0, -127.5 / 128);
  for (const cv::Size size : {cv::Size(59, 69), cv::Size(24, 24), cv::Size(131, 48), cv::Size(12, 97)}) {
    cv::Mat ours, theirs;
    area_downscale(as_float, ours, size);
    cv::resize(as_float, theirs, size, 0, 0, cv::INTER_AREA);
    EXPECT_LT(cv::norm(ours, theirs, cv::NORM_INF), 1e-5) << size;
    area_downscale(image, ours, size);
    cv::resize(image, theirs, size, 0, 0, cv::INTER_AREA);
    EXPECT_EQ(cv::norm(ours, theirs, cv::NORM_INF), 0) << size;  // 8 bits: OpenCV's, to the bit
  }
  // A region of a larger image, written into a header over other memory.
  std::vector<float> memory(24 * 24 * 3, 0.f);
  cv::Mat into(24, 24, CV_32FC3, memory.data()), theirs;
  area_downscale(as_float(cv::Rect(5, 7, 60, 61)), into, into.size());
  cv::resize(as_float(cv::Rect(5, 7, 60, 61)), theirs, into.size(), 0, 0, cv::INTER_AREA);
  EXPECT_EQ(into.data, reinterpret_cast<uchar*>(memory.data()));
  EXPECT_LT(cv::norm(into, theirs, cv::NORM_INF), 1e-5);
}

TEST(FaceDetector, SeparableResizeFindsTheSameFaces) {
  const std::string weights = mtcnn_weights_or_fail();
  ASSERT_FALSE(weights.empty());
  DetectorOptions old_options;
  old_options.separable_resize = false;
  const FaceDetector old_path(weights, old_options), new_path(weights);

  auto photos = fairface_photos();
  const char* env = std::getenv("FACEAGE_RESIZE_PARITY_PHOTOS");
  photos.resize(std::min(photos.size(), env ? std::stoul(env) : size_t{96}));
  ASSERT_GE(photos.size(), 60u);
  size_t faces = 0;
  double lowest_iou = 1, largest_score_change = 0;
  for (const auto& photo : photos) {
    const cv::Mat image = read_image(photo.path);
    const std::vector<DetectedFace> before = old_path.detect(image), after = new_path.detect(image);
    ASSERT_EQ(before.size(), after.size()) << photo.path;
    faces += before.size();
    for (const DetectedFace& face : before) {  // each old face: the new one over it
      double best = 0, score_change = 1;
      for (const DetectedFace& other : after) {
        const double iou = intersection_over_union(face.box, other.box);
        if (iou > best) best = iou, score_change = std::abs(face.score - other.score);
      }
      EXPECT_GE(best, 0.9) << photo.path;
      lowest_iou = std::min(lowest_iou, best);
      largest_score_change = std::max(largest_score_change, score_change);
    }
  }
  std::printf("%zu photos, %zu faces: lowest IoU %.4f, largest score change %.2g\n",
              photos.size(), faces, lowest_iou, largest_score_change);
}

}  // namespace
}  // namespace faceage
