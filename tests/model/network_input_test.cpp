// The one way a face becomes the network's input (model/network_input.h), on a real face:
// each kind of geometry gives the crop crop.h defines, resized to the record's size.
#include "faceage/model/network_input.h"

#include <gtest/gtest.h>

#include "../data/data_test_support.h"
#include "faceage/face/crop.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {
using namespace faceage::testing;

const std::string kFace = "26_1_0_20170116171048641.jpg.chip.jpg";

double max_difference(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

TEST(NetworkInputFace, ABoxIsCutWithTheRecordsMarginInThePhotoTurnedByTheAngle) {
  const cv::Mat image = read_image(utkface_image(kFace));
  Preprocessing p;
  p.input_size = 64;
  p.margin = 0.2;
  const FaceGeometry face{5.0, FaceBox{60, 50, 150, 160}};
  const cv::Mat input = network_input_face(image, face, p);
  EXPECT_EQ(input.size(), cv::Size(64, 64));
  EXPECT_EQ(max_difference(input, resize_to_input(crop_face(image, 5.0, face.box, 0.2), 64)), 0);
  // The margin is the record's: another margin is another crop.
  p.margin = 0.4;
  EXPECT_GT(max_difference(network_input_face(image, face, p), input), 10);
}

TEST(NetworkInputFace, WithoutABoxTheWholePhotoIsTheFace) {
  const cv::Mat image = read_image(utkface_image(kFace));
  Preprocessing p;
  p.input_size = 64;
  EXPECT_EQ(max_difference(network_input_face(image, {}, p), resize_to_input(image, 64)), 0);
  const cv::Mat turned = network_input_face(image, {-8.0, std::nullopt}, p);
  EXPECT_EQ(max_difference(turned, resize_to_input(rotate_expanded(image, -8.0), 64)), 0);
}

TEST(NetworkInputFace, AModelTrainedOnCropsMadeElsewhereGetsItsFrameAroundTheBox) {
  const cv::Mat image = read_image(utkface_image(kFace));
  Preprocessing p;
  p.input_size = 64;
  p.align = false;
  p.frame = FaceFrame{1.2, 0.95, 0.02, 0.05};
  const FaceGeometry face{3.0, FaceBox{50, 40, 150, 150}};
  const cv::Mat framed = crop_frame(image, 3.0, *face.box, *p.frame);
  EXPECT_EQ(max_difference(network_input_face(image, face, p), resize_to_input(framed, 64)), 0);
}

TEST(DatasetRowGeometry, AModelThatDoesNotCutByGeometryUsesTheRowsImagesWhole) {
  const FaceGeometry row{5.0, FaceBox{60, 50, 150, 160}};
  Preprocessing p;
  p.align = true;
  EXPECT_TRUE(dataset_row_geometry(row, p).box);
  EXPECT_EQ(*dataset_row_geometry(row, p).angle, 5.0);
  p.align = false;  // trained on crops made elsewhere, used whole
  EXPECT_FALSE(dataset_row_geometry(row, p).box);
  EXPECT_FALSE(dataset_row_geometry(row, p).angle);
  p.frame = FaceFrame{1.2, 0.95, 0.02, 0.05};  // ... and its frame measured: it frames boxes
  EXPECT_TRUE(dataset_row_geometry(row, p).box);
}

}  // namespace
}  // namespace faceage
