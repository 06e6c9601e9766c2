// The shared face crop (paper §4.3, §4.5): expanded-canvas rotation and margin boxes
// against hand-computed geometry, and crops of a real UTKFace photo.
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "faceage/core/error.h"
#include "faceage/face/crop.h"
#include "faceage/io/image.h"
#include "test_support.h"

namespace faceage {
namespace {

// A real 200x200 UTKFace face.
cv::Mat real_face() {
  return read_image(faceage::testing::data_dir() + "/utkface/26_1_0_20170116171048641.jpg.chip.jpg");
}

void expect_box(const FaceBox& actual, double x1, double y1, double x2, double y2) {
  EXPECT_NEAR(actual.x1, x1, 1e-9);
  EXPECT_NEAR(actual.y1, y1, 1e-9);
  EXPECT_NEAR(actual.x2, x2, 1e-9);
  EXPECT_NEAR(actual.y2, y2, 1e-9);
}

double max_difference(const cv::Mat& a, const cv::Mat& b) {
  EXPECT_EQ(a.size(), b.size());
  if (a.size() != b.size()) return 1e9;
  return cv::norm(a, b, cv::NORM_INF);
}

// Box 100 wide, 120 high, centred at (100, 120) in a 400x300 image.
const FaceBox kInterior{50, 60, 150, 180};
const cv::Size kImage(400, 300);

TEST(ExpandBox, ZeroMarginKeepsTheBox) { expect_box(expand_box(kInterior, 0.0, kImage), 50, 60, 150, 180); }

TEST(ExpandBox, TwentyPercentGrowsWidthAndHeightAboutTheCentre) {
  // 100 x 1.2 = 120 wide, 120 x 1.2 = 144 high, centre (100, 120) kept.
  expect_box(expand_box(kInterior, 0.2, kImage), 40, 48, 160, 192);
}

TEST(ExpandBox, FortyPercentGrowsWidthAndHeightAboutTheCentre) {
  // 140 wide, 168 high.
  expect_box(expand_box(kInterior, 0.4, kImage), 30, 36, 170, 204);
}

TEST(ExpandBox, TopLeftBorderClampsOnlyTheSidesThatLeave) {
  // Box (10, 20)-(110, 100) in 200x150 at 40%: width 140 about x = 60 -> [-10, 130],
  // height 112 about y = 60 -> [4, 116]; the left side is moved to the border.
  expect_box(expand_box({10, 20, 110, 100}, 0.4, {200, 150}), 0, 4, 130, 116);
}

TEST(ExpandBox, BottomRightBorderClamps) {
  // Box (150, 100)-(200, 150) in 200x150 at 20%: 60x60 about (175, 125) -> [145, 205] x
  // [95, 155], clamped to the image's right and bottom edges.
  expect_box(expand_box({150, 100, 200, 150}, 0.2, {200, 150}), 145, 95, 200, 150);
  // At 0% a box on the border is unchanged.
  expect_box(expand_box({150, 100, 200, 150}, 0.0, {200, 150}), 150, 100, 200, 150);
}

TEST(ExpandBox, BoxLargerThanTheImageBecomesTheImage) {
  expect_box(expand_box({-20, -20, 220, 170}, 0.4, {200, 150}), 0, 0, 200, 150);
}

TEST(ExpandBox, RejectsNegativeMarginAndInvertedBox) {
  EXPECT_THROW(expand_box(kInterior, -0.1, kImage), Error);
  EXPECT_THROW(expand_box({150, 60, 50, 180}, 0.2, kImage), Error);
}

TEST(PixelRect, RoundsEdgesAndClampsToTheImage) {
  const cv::Rect rect = pixel_rect({10.4, 19.6, 110.5, 99.2}, {200, 150});
  EXPECT_EQ(rect, cv::Rect(10, 20, 101, 79));  // 10.4 -> 10, 19.6 -> 20, 110.5 -> 111, 99.2 -> 99
  EXPECT_EQ(pixel_rect({-5, -5, 300, 300}, {200, 150}), cv::Rect(0, 0, 200, 150));
  EXPECT_THROW(pixel_rect({210, 10, 260, 50}, {200, 150}), Error);
}

TEST(ExpandedRotation, CanvasHoldsTheWholeRotatedImage) {
  EXPECT_EQ(expanded_rotation({200, 100}, 0).canvas, cv::Size(200, 100));
  EXPECT_EQ(expanded_rotation({200, 100}, 90).canvas, cv::Size(100, 200));
  EXPECT_EQ(expanded_rotation({200, 100}, 180).canvas, cv::Size(200, 100));
  // 45°: both sides (200 + 100) / sqrt(2) = 212.13 -> 213.
  EXPECT_EQ(expanded_rotation({200, 100}, 45).canvas, cv::Size(213, 213));
  // 30°: 200 cos 30 + 100 sin 30 = 223.2 -> 224; 200 sin 30 + 100 cos 30 = 186.6 -> 187.
  EXPECT_EQ(expanded_rotation({200, 100}, -30).canvas, cv::Size(224, 187));
}

TEST(ExpandedRotation, CornersLandInsideTheCanvasAndTheCentreStaysCentral) {
  for (double angle : {-37.0, 12.5, 30.0, 90.0, 135.0}) {
    const cv::Size size(200, 100);
    const ExpandedRotation rotation = expanded_rotation(size, angle);
    for (cv::Point2d corner : {cv::Point2d(0, 0), cv::Point2d(199, 0), cv::Point2d(0, 99), cv::Point2d(199, 99)}) {
      const cv::Point2d p = rotate_point(rotation, corner);
      EXPECT_GE(p.x, -0.5) << angle;
      EXPECT_LE(p.x, rotation.canvas.width - 0.5) << angle;
      EXPECT_GE(p.y, -0.5) << angle;
      EXPECT_LE(p.y, rotation.canvas.height - 0.5) << angle;
    }
    const cv::Point2d centre = rotate_point(rotation, {99.5, 49.5});
    EXPECT_NEAR(centre.x, (rotation.canvas.width - 1) / 2.0, 1e-9);
    EXPECT_NEAR(centre.y, (rotation.canvas.height - 1) / 2.0, 1e-9);
  }
}

TEST(ExpandedRotation, PositiveAnglesTurnCounterClockwise) {
  // The right-hand end of a horizontal line goes up (smaller y) on screen.
  const ExpandedRotation rotation = expanded_rotation({200, 200}, 10);
  EXPECT_LT(rotate_point(rotation, {190, 100}).y, rotate_point(rotation, {10, 100}).y);
}

TEST(RotateExpanded, QuarterTurnsOfARealFaceAreExact) {
  const cv::Mat face = real_face();
  cv::Mat expected;
  cv::rotate(face, expected, cv::ROTATE_90_COUNTERCLOCKWISE);
  EXPECT_EQ(max_difference(rotate_expanded(face, 90), expected), 0);
  cv::rotate(face, expected, cv::ROTATE_180);
  EXPECT_EQ(max_difference(rotate_expanded(face, 180), expected), 0);
  EXPECT_EQ(max_difference(rotate_expanded(face, 0), face), 0);
}

TEST(RotateExpanded, NothingIsCutOff) {
  // The whole 200x200 face survives 45°: the sum of all pixels is kept to within the
  // blurring of bilinear interpolation at the edges.
  const cv::Mat face = real_face();
  const cv::Mat rotated = rotate_expanded(face, 45);
  EXPECT_EQ(rotated.size(), cv::Size(283, 283));
  const double before = cv::sum(face)[0] + cv::sum(face)[1] + cv::sum(face)[2];
  const double after = cv::sum(rotated)[0] + cv::sum(rotated)[1] + cv::sum(rotated)[2];
  EXPECT_NEAR(after / before, 1.0, 0.01);
}

TEST(RotatePoint, FollowsAMarkerThroughTheRotation) {
  cv::Mat image(120, 160, CV_8UC3, cv::Scalar::all(0));
  cv::rectangle(image, cv::Rect(30, 20, 7, 7), cv::Scalar::all(255), cv::FILLED);  // centre (33, 23)
  for (double angle : {-25.0, 17.0, 60.0}) {
    const cv::Mat rotated = rotate_expanded(image, angle);
    cv::Mat gray;
    cv::cvtColor(rotated, gray, cv::COLOR_BGR2GRAY);
    const cv::Moments m = cv::moments(gray);
    const cv::Point2d expected = rotate_point(expanded_rotation(image.size(), angle), {33, 23});
    EXPECT_NEAR(m.m10 / m.m00, expected.x, 0.1) << angle;
    EXPECT_NEAR(m.m01 / m.m00, expected.y, 0.1) << angle;
  }
}

TEST(CropFace, WithoutAlignmentTheWholeImageIsTheFace) {
  const cv::Mat face = real_face();
  const cv::Mat crop = crop_face(face, FaceGeometry{}, 0.4);
  EXPECT_EQ(max_difference(crop, face), 0);
  EXPECT_NE(crop.data, face.data);  // its own pixels
}

TEST(CropFace, BoxWithoutAngleCutsTheExpandedBox) {
  const cv::Mat face = real_face();
  const FaceBox box{60, 50, 140, 150};
  for (double margin : {0.0, 0.2, 0.4}) {
    const cv::Mat crop = crop_face(face, std::nullopt, box, margin);
    EXPECT_EQ(crop.cols, std::lround(80 * (1 + margin))) << margin;
    EXPECT_EQ(crop.rows, std::lround(100 * (1 + margin))) << margin;
    const cv::Rect expected = pixel_rect(expand_box(box, margin, face.size()), face.size());
    EXPECT_EQ(max_difference(crop, face(expected)), 0) << margin;
  }
}

TEST(CropFace, AngleAndBoxEqualRotatingThenCropping) {
  const cv::Mat face = real_face();
  FaceGeometry where;
  where.angle = 12.0;
  where.box = FaceBox{70, 60, 170, 180};  // in the 238x238 rotated frame
  const cv::Mat rotated = rotate_expanded(face, 12.0);
  ASSERT_EQ(rotated.size(), cv::Size(238, 238));
  for (double margin : {0.0, 0.2, 0.4}) {
    const cv::Rect region = pixel_rect(expand_box(*where.box, margin, rotated.size()), rotated.size());
    EXPECT_LE(max_difference(crop_face(face, where, margin), rotated(region)), 1) << margin;
  }
}

TEST(CropFace, AngleWithoutBoxIsTheWholeRotatedImage) {
  const cv::Mat face = real_face();
  EXPECT_EQ(max_difference(crop_face(face, -8.0, std::nullopt, 0.2), rotate_expanded(face, -8.0)), 0);
}

}  // namespace
}  // namespace faceage
