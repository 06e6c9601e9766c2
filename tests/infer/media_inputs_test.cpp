#include "faceage/infer/media_inputs.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace faceage::testing {
namespace {

void touch(const std::string& path) { std::ofstream(path) << "x"; }

TEST(ListMedia, FoldersAreSearchedRecursivelyInSortedOrder) {
  const std::string dir = temp_dir("list_media");
  std::filesystem::create_directories(dir + "/b/c");
  touch(dir + "/b/c/z.JPG");
  touch(dir + "/a.png");
  touch(dir + "/clip.mp4");
  touch(dir + "/notes.txt");
  const std::vector<MediaInput> inputs = list_media({dir});
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].path, dir + "/a.png");
  EXPECT_EQ(inputs[1].path, dir + "/b/c/z.JPG");
  EXPECT_EQ(inputs[1].kind, MediaKind::image);
  EXPECT_EQ(inputs[2].kind, MediaKind::video);
}

TEST(ListMedia, CamerasFilesAndMissingPaths) {
  const std::vector<MediaInput> cameras = list_media({"camera:1", "0"});
  EXPECT_EQ(cameras[0].kind, MediaKind::camera);
  EXPECT_EQ(cameras[0].camera_index, 1);
  EXPECT_EQ(cameras[1].camera_index, 0);
  const std::string dir = temp_dir("list_media_files");
  touch(dir + "/strange.name");
  EXPECT_EQ(list_media({dir + "/strange.name"})[0].kind, MediaKind::image);
  try {
    list_media({dir + "/missing.jpg"});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("missing.jpg"), std::string::npos);
  }
}

}  // namespace
}  // namespace faceage::testing
