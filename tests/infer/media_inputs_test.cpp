#include "faceage/infer/media_inputs.h"

#include <filesystem>
#include <fstream>

#include <unistd.h>

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

// A GIF cannot be written by OpenCV: its 6-byte signature and some junk stand for one.
void write_gif(const std::string& path) { std::ofstream(path, std::ios::binary) << "GIF89a\x01\x00junk"; }

TEST(FindMedia, UnsupportedFilesAndBrokenLinksInAFolderAreListedWithTheReason) {
  const std::string dir = temp_dir("find_media_skips");
  touch(dir + "/a.jpg");
  write_gif(dir + "/anim.gif");
  touch(dir + "/README");
  std::filesystem::create_symlink(dir + "/gone.jpg", dir + "/dangling.jpg");
  const MediaListing listing = find_media({dir});
  ASSERT_EQ(listing.inputs.size(), 1u);
  EXPECT_EQ(listing.inputs[0].path, dir + "/a.jpg");
  ASSERT_EQ(listing.skipped.size(), 3u);  // sorted by path
  EXPECT_EQ(listing.skipped[0].path, dir + "/README");
  EXPECT_EQ(listing.skipped[0].reason, "unsupported format (no extension)");
  EXPECT_EQ(listing.skipped[1].path, dir + "/anim.gif");
  EXPECT_EQ(listing.skipped[1].reason, "unsupported format (.gif)");
  EXPECT_EQ(listing.skipped[2].path, dir + "/dangling.jpg");
  EXPECT_EQ(listing.skipped[2].reason, "broken symbolic link");
  EXPECT_TRUE(listing.empty_arguments.empty());
}

TEST(FindMedia, AFolderWithoutPhotosIsNamedAsEmptyEvenWhenCalledXJpg) {
  const std::string dir = temp_dir("find_media_empty");
  std::filesystem::create_directories(dir + "/nothing");
  std::filesystem::create_directories(dir + "/x.jpg");
  write_gif(dir + "/x.jpg/only.gif");
  const MediaListing listing = find_media({dir + "/nothing", dir + "/x.jpg"});
  EXPECT_TRUE(listing.inputs.empty());
  ASSERT_EQ(listing.empty_arguments.size(), 2u);
  EXPECT_EQ(listing.empty_arguments[0], dir + "/nothing");
  EXPECT_EQ(listing.empty_arguments[1], dir + "/x.jpg");
  ASSERT_EQ(listing.skipped.size(), 1u);
  EXPECT_EQ(listing.skipped[0].path, dir + "/x.jpg/only.gif");
}

TEST(FindMedia, ABrokenLinkNamedAsAnArgumentIsAnErrorNamingIt) {
  const std::string dir = temp_dir("find_media_link_argument");
  std::filesystem::create_symlink(dir + "/gone.jpg", dir + "/link.jpg");
  try {
    find_media({dir + "/link.jpg"});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("link.jpg: broken symbolic link"), std::string::npos) << e.what();
  }
}

TEST(FindMedia, AnUnlistableSubfolderIsNamedAndTheRestListed) {
  if (geteuid() == 0) GTEST_SKIP() << "root can list any folder";
  const std::string dir = temp_dir("find_media_unlistable");
  touch(dir + "/a.png");
  std::filesystem::create_directories(dir + "/locked");
  touch(dir + "/locked/b.png");
  std::filesystem::permissions(dir + "/locked", std::filesystem::perms::none);
  const MediaListing listing = find_media({dir});
  std::filesystem::permissions(dir + "/locked", std::filesystem::perms::owner_all);
  ASSERT_EQ(listing.inputs.size(), 1u);
  ASSERT_EQ(listing.skipped.size(), 1u);
  EXPECT_EQ(listing.skipped[0].path, dir + "/locked");
  EXPECT_NE(listing.skipped[0].reason.find("cannot list the folder"), std::string::npos);
}

}  // namespace
}  // namespace faceage::testing
