// MegaAge / MegaAge-Asian list files (synthetic: the dataset is not on this machine; the
// layout is list/{split}_name.txt + list/{split}_age.txt + {split}/{name}).
#include <gtest/gtest.h>

#include "data_test_support.h"
#include "faceage/data/megaage_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

std::string make_megaage(const std::string& name, const std::string& names, const std::string& ages) {
  const std::string dir = temp_dir(name);
  write_text_file(dir + "/list/train_name.txt", names);
  write_text_file(dir + "/list/train_age.txt", ages);
  write_text_file(dir + "/list/test_name.txt", "t1.jpg\n");
  write_text_file(dir + "/list/test_age.txt", "44\n");
  return dir;
}

TEST(MegaageReader, PairsNamesAndAgesLineByLineInTheGivenSplit) {
  const std::string dir = make_megaage("megaage", "1.jpg\r\n2.jpg\r\n3.jpg\r\n\r\n", "5\r\n17\r\n70\r\n");
  const ReadResult train = read_megaage(dir, "train");
  ASSERT_EQ(train.samples.size(), 3u);
  EXPECT_EQ(train.samples[0].image_path, dir + "/train/1.jpg");
  EXPECT_EQ(train.samples[1].age, 17);
  EXPECT_EQ(train.samples[2].age, 70);
  EXPECT_EQ(train.samples[2].gender, kUnknownLabel);

  const ReadResult test = read_megaage(dir, "test");
  ASSERT_EQ(test.samples.size(), 1u);
  EXPECT_EQ(test.samples[0].image_path, dir + "/test/t1.jpg");
  EXPECT_EQ(test.samples[0].age, 44);
}

TEST(MegaageReader, ListsOfDifferentLengthAreAnError) {
  const std::string dir = make_megaage("megaage-lengths", "1.jpg\n2.jpg\n", "5\n");
  const std::string message = error_message([&] { read_megaage(dir, "train"); });
  EXPECT_TRUE(contains(message, "train_name.txt: 2 names but")) << message;
  EXPECT_TRUE(contains(message, "train_age.txt has 1 ages")) << message;
}

TEST(MegaageReader, ABadAgeNamesTheAgeFileAndLineOrIsSkipped) {
  const std::string dir = make_megaage("megaage-bad-age", "1.jpg\n2.jpg\n3.jpg\n", "5\nabc\n-4\n");
  const std::string message = error_message([&] { read_megaage(dir, "train"); });
  EXPECT_TRUE(contains(message, dir + "/list/train_age.txt: line 2: age 'abc'")) << message;

  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const ReadResult result = read_megaage(dir, "train", skip);
  ASSERT_EQ(result.samples.size(), 1u);
  EXPECT_EQ(result.report.rows_skipped, 2u);
  EXPECT_TRUE(contains(result.report.skipped_examples[1], "line 3: age '-4'"));
}

TEST(MegaageReader, AMissingListOrBadSplitNameIsAnError) {
  const std::string dir = make_megaage("megaage-missing", "1.jpg\n", "5\n");
  EXPECT_TRUE(contains(error_message([&] { read_megaage(dir, "validation"); }), "validation_name.txt"));
  EXPECT_TRUE(contains(error_message([&] { read_megaage(dir, "../x"); }), "split '../x'"));
}

}  // namespace
}  // namespace faceage
