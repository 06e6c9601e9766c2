#include "faceage/face/framing.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "face_test_support.h"
#include "faceage/io/image.h"

namespace faceage::testing {
namespace {

std::string utkface_image(int index) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir() + "/utkface"))
    names.push_back(entry.path().string());
  std::sort(names.begin(), names.end());
  return names.at(static_cast<size_t>(index) * 997 % names.size());
}

TEST(FrameBox, ScalesAndShiftsAboutTheBoxCentre) {
  const FaceBox box = frame_box({100, 100, 200, 300}, {1.5, 0.5, 0.1, -0.2});
  EXPECT_DOUBLE_EQ(box.x1, 150 + 10 - 75);
  EXPECT_DOUBLE_EQ(box.x2, 150 + 10 + 75);
  EXPECT_DOUBLE_EQ(box.y1, 200 - 40 - 50);
  EXPECT_DOUBLE_EQ(box.y2, 200 - 40 + 50);
  EXPECT_THROW(frame_box({0, 0, 10, 10}, {0, 1, 0, 0}), std::exception);
}

TEST(CropFrame, OutsideThePhotoIsMirroredNotClamped) {
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar(10, 20, 30));
  image(cv::Rect(0, 0, 50, 100)).setTo(cv::Scalar(200, 200, 200));
  // A frame twice the box, the box at the left edge: the crop keeps its full size.
  const cv::Mat crop = crop_frame(image, 0.0, {0, 25, 50, 75}, {2, 2, 0, 0});
  EXPECT_EQ(crop.cols, 100);
  EXPECT_EQ(crop.rows, 100);
  EXPECT_EQ(crop.at<cv::Vec3b>(50, 10), cv::Vec3b(200, 200, 200));  // mirrored left half
}

TEST(FrameOfCrop, ATightCropMeasuredThenCutAgainGivesItselfBack) {
  const FaceDetector* detector = shared_detector();
  ASSERT_NE(detector, nullptr);
  int checked = 0;
  for (int i = 0; i < 6; ++i) {
    const cv::Mat crop = read_image(utkface_image(i));
    const Alignment alignment = align_face(*detector, crop);
    const std::optional<FaceFrame> frame = frame_of_crop(*detector, crop);
    if (!alignment.face || !frame) continue;
    ++checked;
    const cv::Mat again = crop_frame(crop, alignment.face->angle, alignment.face->face.box, *frame);
    EXPECT_NEAR(again.cols, crop.cols, 2);
    EXPECT_NEAR(again.rows, crop.rows, 2);
    // Pixels agree up to the small re-rotation (UTKFace crops are nearly level).
    cv::Mat resized, difference;
    cv::resize(again, resized, crop.size());
    cv::absdiff(resized, crop, difference);
    EXPECT_LT(cv::mean(difference)[0], 25.0) << utkface_image(i);
  }
  EXPECT_GE(checked, 5);
}

TEST(MedianFrame, TakesEachFieldsMedian) {
  const FaceFrame m = median_frame({{1, 2, 0, 0}, {3, 1, 1, -1}, {2, 9, 5, 1}});
  EXPECT_DOUBLE_EQ(m.scale_x, 2);
  EXPECT_DOUBLE_EQ(m.scale_y, 2);
  EXPECT_DOUBLE_EQ(m.shift_x, 1);
  EXPECT_DOUBLE_EQ(m.shift_y, 0);
  EXPECT_THROW(median_frame({}), std::exception);
}

}  // namespace
}  // namespace faceage::testing
