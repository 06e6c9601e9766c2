// Atomic writes leave either the old or the new content, never a mix or a temporary file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"
#include "test_support.h"

namespace faceage {
namespace {

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporary) {
  const std::string dir = faceage::testing::temp_dir("atomic");
  const std::string path = dir + "/sub/out.txt";
  write_text_atomically(path, "first");
  write_text_atomically(path, "second");
  EXPECT_EQ(read_file_bytes(path), "second");
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, TemporariesOfDeadWritersAreRemovedAndLiveOnesKept) {
  namespace fs = std::filesystem;
  const std::string dir = faceage::testing::temp_dir("atomic-abandoned");
  const std::string path = dir + "/last.safetensors";
  write_text_atomically(path, "checkpoint");
  // 4194305 is above Linux's largest possible PID: no process can have it.
  const std::string dead = path + ".tmp.4194305";
  const std::string live = path + ".tmp." + std::to_string(::getpid());
  const std::string other = dir + "/best.safetensors.tmp.4194305";
  for (const std::string& file : {dead, live, other}) write_text_atomically(file, "half");
  EXPECT_EQ(remove_abandoned_temporaries(path), 1u);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));   // a writer still at work
  EXPECT_TRUE(fs::exists(other));  // another file's
  EXPECT_EQ(read_file_bytes(path), "checkpoint");
}

TEST(AtomicFile, AFailingWriterKeepsThePreviousContent) {
  const std::string path = faceage::testing::temp_dir("atomic-fail") + "/out.txt";
  write_text_atomically(path, "kept");
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "partial";
                                       throw Error("writer failed");
                                     }),
               Error);
  EXPECT_EQ(read_file_bytes(path), "kept");
}

TEST(AtomicFile, AFolderThatCannotBeMadeIsAnErrorNamingThePath) {
  const std::string dir = faceage::testing::temp_dir("atomic-no-folder");
  write_text_atomically(dir + "/a-file", "not a folder");
  const std::string path = dir + "/a-file/out.txt";  // its folder would be a file
  try {
    write_text_atomically(path, "never");
    FAIL();
  } catch (const Error& e) {  // faceage's error, not std::filesystem's
    EXPECT_EQ(std::string(e.what()).rfind(path + ": cannot create its folder: ", 0), 0u) << e.what();
  }
}

TEST(AtomicFile, UnreadableFileIsNamed) {
  try {
    read_file_bytes("/nonexistent/file.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/file.csv"), std::string::npos);
  }
}

}  // namespace
}  // namespace faceage
