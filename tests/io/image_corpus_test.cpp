// The bad-input corpus for image decoding: one test per kind of awkward file, each with
// the behaviour it must produce. Files are made here (or by tests/io/corpus/*.py), so no
// photo of a person is needed. Empty, text-as-.jpg, truncated and missing files are in
// image_test.cpp; the 30000 x 30000 header in image_header_test.cpp.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string encoded(const std::string& extension, const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes));
  return std::string(bytes.begin(), bytes.end());
}

// The message of the faceage::Error that decoding `path` throws ("" if none).
std::string read_error(const std::string& path) {
  try {
    read_image(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool near(const cv::Vec3b& actual, const cv::Vec3b& expected, int tolerance) {
  for (int c = 0; c < 3; ++c)
    if (std::abs(actual[c] - expected[c]) > tolerance) return false;
  return true;
}

TEST(ImageCorpus, PngWithAlphaBecomesBgrWithTheAlphaDropped) {
  const cv::Mat transparent(10, 12, CV_8UC4, cv::Scalar(10, 20, 30, 0));
  const cv::Mat image = decode_image(encoded(".png", transparent), "alpha.png");
  EXPECT_EQ(image.type(), CV_8UC3);
  EXPECT_EQ(image.size(), cv::Size(12, 10));
  EXPECT_EQ(image.at<cv::Vec3b>(5, 5), cv::Vec3b(10, 20, 30));  // colour kept, not blended
}

TEST(ImageCorpus, SixteenBitPngIsScaledToEightBits) {
  const cv::Mat deep(10, 12, CV_16UC3, cv::Scalar(65535, 0, 32768));
  const cv::Mat image = decode_image(encoded(".png", deep), "deep.png");
  EXPECT_EQ(image.type(), CV_8UC3);
  EXPECT_EQ(image.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 128));  // value / 256
}

TEST(ImageCorpus, GrayscaleIsExpandedToThreeEqualChannels) {
  const cv::Mat gray(10, 12, CV_8UC1, cv::Scalar(90));
  for (const char* extension : {".png", ".jpg"}) {
    const cv::Mat image = decode_image(encoded(extension, gray), std::string("gray") + extension);
    EXPECT_EQ(image.type(), CV_8UC3) << extension;
    EXPECT_TRUE(near(image.at<cv::Vec3b>(5, 5), cv::Vec3b(90, 90, 90), 1)) << extension;
  }
}

TEST(ImageCorpus, AdobeCmykJpegDecodesToTheColoursItShows) {
  // Made by tests/io/corpus/make_cmyk_jpeg.py; the expected colours are Pillow's decoding.
  const cv::Mat image = read_image(faceage::testing::source_dir() + "/tests/io/corpus/cmyk.jpg");
  ASSERT_EQ(image.type(), CV_8UC3);
  ASSERT_EQ(image.size(), cv::Size(16, 8));
  EXPECT_TRUE(near(image.at<cv::Vec3b>(2, 2), cv::Vec3b(255, 255, 55), 6)) << image.at<cv::Vec3b>(2, 2);
  EXPECT_TRUE(near(image.at<cv::Vec3b>(2, 12), cv::Vec3b(0, 0, 0), 6)) << image.at<cv::Vec3b>(2, 12);
  EXPECT_TRUE(near(image.at<cv::Vec3b>(6, 12), cv::Vec3b(55, 105, 255), 6)) << image.at<cv::Vec3b>(6, 12);
}

// A JPEG with an EXIF APP1 segment holding only the orientation tag (TIFF little-endian).
std::string jpeg_with_orientation(const cv::Mat& image, uint16_t orientation) {
  const std::string jpeg = encoded(".jpg", image);
  const unsigned char app1[] = {
      0xFF, 0xE1, 0x00, 34,                      // APP1, length 34 (itself included)
      'E', 'x', 'i', 'f', 0, 0,                  // EXIF identifier
      'I', 'I', 0x2A, 0x00, 8, 0, 0, 0,          // TIFF header, first IFD at 8
      1, 0,                                      // one entry
      0x12, 0x01, 3, 0, 1, 0, 0, 0,              // tag 0x0112 Orientation, SHORT, count 1
      static_cast<unsigned char>(orientation), 0, 0, 0,
      0, 0, 0, 0};                               // no next IFD
  return jpeg.substr(0, 2) + std::string(reinterpret_cast<const char*>(app1), sizeof app1) +
         jpeg.substr(2);
}

TEST(ImageCorpus, ExifOrientationIsHonoured) {
  // Stored 40 wide x 20 high, red left half, blue right half; orientation 6 means "rotate
  // 90 degrees clockwise to display": upright it is 20 x 40, red on top, blue below.
  cv::Mat stored(20, 40, CV_8UC3, cv::Scalar(255, 0, 0));
  stored(cv::Rect(0, 0, 20, 20)).setTo(cv::Scalar(0, 0, 255));
  const cv::Mat image = decode_image(jpeg_with_orientation(stored, 6), "rotated.jpg");
  ASSERT_EQ(image.size(), cv::Size(20, 40));
  EXPECT_TRUE(near(image.at<cv::Vec3b>(5, 10), cv::Vec3b(0, 0, 255), 20)) << image.at<cv::Vec3b>(5, 10);
  EXPECT_TRUE(near(image.at<cv::Vec3b>(35, 10), cv::Vec3b(255, 0, 0), 20)) << image.at<cv::Vec3b>(35, 10);
  // Orientation 1 (upright) leaves the stored pixels as they are.
  EXPECT_EQ(decode_image(jpeg_with_orientation(stored, 1), "upright.jpg").size(), cv::Size(40, 20));
}

// A little-endian TIFF header whose first directory declares width x height.
std::string tiff_declaring(uint16_t width, uint16_t height) {
  const unsigned char bytes[] = {
      'I', 'I', 42, 0, 8, 0, 0, 0,                                       // header, IFD at 8
      2, 0,                                                              // two entries
      0x00, 0x01, 3, 0, 1, 0, 0, 0, static_cast<unsigned char>(width), static_cast<unsigned char>(width >> 8), 0, 0,
      0x01, 0x01, 3, 0, 1, 0, 0, 0, static_cast<unsigned char>(height), static_cast<unsigned char>(height >> 8), 0, 0,
      0, 0, 0, 0};                                                       // no next IFD
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

TEST(ImageCorpus, AHugePnmOrTiffIsRefusedBeforeDecoding) {
  // Tiny files declaring 30000 x 30000 pixels: OpenCV alone would allocate 2.7 GB for them.
  for (const auto& [name, bytes] :
       {std::pair<std::string, std::string>{"bomb.ppm", "P6\n30000 30000\n255\n\x7f\x7f\x7f"},
        {"bomb.pgm", "P5 # a comment\n30000\n30000 255\n\x7f"},
        {"bomb.tiff", tiff_declaring(30000, 30000)}}) {
    try {
      decode_image(bytes, name);
      FAIL() << "no error for " << name;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name + ": declares 30000x30000 pixels"), std::string::npos)
          << e.what();
    }
  }
}

TEST(ImageCorpus, FormatsWhoseSizeCannotBeCheckedAreRefused) {
  // A Sun raster (OpenCV decodes it, we cannot read its size first).
  const std::string sun_raster = encoded(".ras", cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(1)));
  try {
    decode_image(sun_raster, "picture.ras");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("picture.ras: not a decodable image"), std::string::npos)
        << e.what();
  }
}

TEST(ImageCorpus, OnePixelImagesDecode) {
  const cv::Mat pixel(1, 1, CV_8UC3, cv::Scalar(40, 80, 120));
  for (const char* extension : {".png", ".jpg", ".bmp"}) {
    const cv::Mat image = decode_image(encoded(extension, pixel), std::string("pixel") + extension);
    EXPECT_EQ(image.size(), cv::Size(1, 1)) << extension;
    EXPECT_EQ(image.type(), CV_8UC3) << extension;
  }
}

TEST(ImageCorpus, ADirectoryNamedLikeAPhotoIsAnErrorNamingIt) {
  // Unreadable as an image for every user, root included.
  const std::string path = faceage::testing::temp_dir("image-directory") + "/photo.jpg";
  std::filesystem::create_directories(path);
  const std::string message = read_error(path);
  EXPECT_NE(message.find(path + ": is a directory"), std::string::npos) << message;
}

TEST(ImageCorpus, AFileWithoutReadPermissionIsAnErrorNamingIt) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their permissions";
  const std::string path = faceage::testing::temp_dir("image-unreadable") + "/locked.png";
  write_text_atomically(path, encoded(".png", cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(1))));
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const std::string message = read_error(path);
  ::chmod(path.c_str(), 0644);  // let temp_dir clean it up next time
  EXPECT_NE(message.find(path + ": cannot open: Permission denied"), std::string::npos) << message;
}

}  // namespace
}  // namespace faceage
