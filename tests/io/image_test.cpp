// Image decoding: real photos decode to 8-bit BGR; bad files give errors naming them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string first_utkface_image() {
  for (const auto& entry :
       std::filesystem::directory_iterator(faceage::testing::data_dir() + "/utkface"))
    if (entry.path().extension() == ".jpg") return entry.path().string();
  return "";
}

void expect_error_naming(const std::string& path, const std::string& expected) {
  try {
    read_image(path);
    FAIL() << "no error for " << path;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST(Image, RealFaceDecodesToEightBitBgr) {
  const std::string path = first_utkface_image();
  ASSERT_FALSE(path.empty()) << "no images in " << faceage::testing::data_dir();
  const cv::Mat image = read_image(path);
  EXPECT_EQ(image.type(), CV_8UC3);
  EXPECT_EQ(image.cols, 200);
  EXPECT_EQ(image.rows, 200);
}

TEST(Image, BadFilesAreNamedWithTheReason) {
  const std::string dir = faceage::testing::temp_dir("image-bad");
  write_text_atomically(dir + "/empty.jpg", "");
  write_text_atomically(dir + "/text.jpg", "this is not an image\n");
  const std::string real = read_file_bytes(first_utkface_image());
  write_text_atomically(dir + "/truncated.jpg", real.substr(0, 40));
  // Cut after the image data began: libjpeg alone would decode it with grey rows.
  write_text_atomically(dir + "/half.jpg", real.substr(0, real.size() / 2));
  expect_error_naming(dir + "/empty.jpg", "empty");
  expect_error_naming(dir + "/text.jpg", "not a decodable image");
  expect_error_naming(dir + "/truncated.jpg", "truncated JPEG");
  expect_error_naming(dir + "/half.jpg", "truncated JPEG");
  expect_error_naming(dir + "/missing.jpg", "cannot open");
  expect_error_naming(dir, "directory");
}

TEST(Image, WriteThenReadKeepsPixels) {
  const std::string path = faceage::testing::temp_dir("image-write") + "/out.png";
  cv::Mat image(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  write_image(path, image);
  EXPECT_EQ(cv::norm(read_image(path), image, cv::NORM_INF), 0);
  EXPECT_THROW(write_image(path + ".unknownformat", image), Error);
}

}  // namespace
}  // namespace faceage
