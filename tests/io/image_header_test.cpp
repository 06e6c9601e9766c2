#include "faceage/io/image_header.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string encoded(const std::string& extension, cv::Size size) {
  std::vector<unsigned char> bytes;
  EXPECT_TRUE(cv::imencode(extension, cv::Mat(size, CV_8UC3, cv::Scalar(10, 200, 30)), bytes));
  return std::string(bytes.begin(), bytes.end());
}

TEST(DeclaredImageSize, ReadsTheHeaderOfEachFormat) {
  for (const char* extension : {".png", ".jpg", ".bmp", ".webp", ".tiff", ".ppm"}) {
    const std::optional<cv::Size> size = declared_image_size(encoded(extension, {37, 21}));
    ASSERT_TRUE(size) << extension;
    EXPECT_EQ(*size, cv::Size(37, 21)) << extension;
  }
  EXPECT_FALSE(declared_image_size("plain text"));
  EXPECT_FALSE(declared_image_size(""));
}

// Patches the declared size of a small PNG / JPEG, as a decompression bomb would.
std::string png_declaring(uint32_t width, uint32_t height) {
  std::string png = encoded(".png", {8, 8});
  for (int i = 0; i < 4; ++i) {
    png[16 + i] = static_cast<char>(width >> (24 - 8 * i));
    png[20 + i] = static_cast<char>(height >> (24 - 8 * i));
  }
  return png;
}

std::string jpeg_declaring(uint16_t width, uint16_t height) {
  std::string jpeg = encoded(".jpg", {8, 8});
  const size_t sof = jpeg.find("\xFF\xC0");
  EXPECT_NE(sof, std::string::npos);
  jpeg[sof + 5] = static_cast<char>(height >> 8), jpeg[sof + 6] = static_cast<char>(height);
  jpeg[sof + 7] = static_cast<char>(width >> 8), jpeg[sof + 8] = static_cast<char>(width);
  return jpeg;
}

TEST(DecodeImage, HugeDeclaredSizesAreRefusedBeforeDecoding) {
  for (const std::string& bomb : {png_declaring(30000, 30000), jpeg_declaring(30000, 30000)}) {
    try {
      decode_image(bomb, "bomb");
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("bomb: declares 30000x30000 pixels"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(declared_image_size(png_declaring(30000, 30000))->width, 30000);
  EXPECT_NO_THROW(decode_image(encoded(".png", {8, 8}), "small"));
}

// The fuzzer's finds: leading zeros hid 810985 rows behind a ten-digit cut (CI, stop 26), and
// OpenCV reads "30000#30000" as two numbers, the '#' only ending the first.
TEST(DeclaredImageSize, PnmNumbersAreReadWholeLeadingZerosIncluded) {
  EXPECT_EQ(declared_image_size("P6\n999\n000000000810985\n2\x7f"), cv::Size(999, 810985));
  EXPECT_FALSE(declared_image_size("P6\n999\n000000000810985\x13" "2\x7f"));  // the find itself
  EXPECT_EQ(declared_image_size("P5 0000000000000000000037 21 255\n"), cv::Size(37, 21));
  EXPECT_EQ(declared_image_size("P6 #\r30000\r30000\r255\n1 1"), cv::Size(30000, 30000));
  EXPECT_FALSE(declared_image_size("P6\n30000#30000\n25\x15\n\x7f"));  // 30000 x 30000 to OpenCV
  EXPECT_EQ(declared_image_size("P6 99999999999999999999999 1 255\n")->width, 1 << 30);
  EXPECT_THROW(decode_image(std::string("P6\n30000#30000\n25\x15\n\x7f\x7f\x7f"), "b.ppm"), Error);
  EXPECT_THROW(decode_image(std::string("P6\n999\n000000000810985\x13" "2\x7f"), "bomb.ppm"), Error);
}

}  // namespace
}  // namespace faceage
