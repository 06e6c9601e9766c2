// FG-NET names (001A02.JPG = subject 001, age 2) and leave-one-person-out folds
// (synthetic: FG-NET is not on this machine).
#include <gtest/gtest.h>

#include <set>

#include "data_test_support.h"
#include "faceage/data/fgnet_reader.h"
#include "faceage/data/split.h"

namespace faceage {
namespace {
using namespace faceage::testing;

TEST(FgnetName, ParsesSubjectAndAge) {
  const auto name = parse_fgnet_name("001A02.JPG");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->subject, "001");
  EXPECT_EQ(name->age, 2);
  const auto second_photo = parse_fgnet_name("010A43b.JPG");
  ASSERT_TRUE(second_photo);
  EXPECT_EQ(second_photo->subject, "010");
  EXPECT_EQ(second_photo->age, 43);
  EXPECT_TRUE(parse_fgnet_name("082a18.jpg"));
  EXPECT_FALSE(parse_fgnet_name("A02.JPG"));
  EXPECT_FALSE(parse_fgnet_name("001B02.JPG"));
  EXPECT_FALSE(parse_fgnet_name("001A.JPG"));
  EXPECT_FALSE(parse_fgnet_name("001A0x2.JPG"));
  EXPECT_FALSE(parse_fgnet_name("001A02.txt"));
}

std::string make_fgnet() {
  const std::string dir = temp_dir("fgnet");
  for (const char* name : {"001A02.JPG", "001A10.JPG", "002A05.JPG", "002A05a.JPG", "002A30.JPG",
                           "003A61.JPG", "Thumbs.db"})
    write_text_file(dir + "/" + name, "");
  return dir;
}

TEST(FgnetReader, ReadsSubjectsAndAges) {
  const ReadResult result = read_fgnet(make_fgnet());
  ASSERT_EQ(result.samples.size(), 6u);
  EXPECT_EQ(result.samples[3].subject, "002");
  EXPECT_EQ(result.samples[3].age, 5);
  EXPECT_EQ(result.samples[5].age, 61);
  EXPECT_EQ(result.report.files_ignored, 1u);
}

TEST(FgnetReader, AMalformedNameIsAnErrorOrSkipped) {
  const std::string dir = make_fgnet();
  write_text_file(dir + "/004X01.JPG", "");
  EXPECT_TRUE(contains(error_message([&] { read_fgnet(dir); }), "004X01.JPG: malformed FG-NET name"));
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  EXPECT_EQ(read_fgnet(dir, skip).report.rows_skipped, 1u);
}

TEST(FgnetFolds, LeaveOnePersonOut) {
  const std::vector<Sample> samples = read_fgnet(make_fgnet()).samples;
  const std::vector<DatasetSplit> folds = leave_one_subject_out(samples);
  ASSERT_EQ(folds.size(), 3u);  // subjects 001, 002, 003
  const size_t test_sizes[] = {2, 3, 1};
  for (size_t f = 0; f < folds.size(); ++f) {
    EXPECT_EQ(folds[f].test.size(), test_sizes[f]);
    EXPECT_EQ(folds[f].train.size() + folds[f].test.size(), samples.size());
    EXPECT_TRUE(folds[f].validation.empty());
    std::set<std::string> train_subjects;
    for (const Sample& s : folds[f].train) train_subjects.insert(s.subject);
    for (const Sample& s : folds[f].test) {
      EXPECT_EQ(s.subject, folds[f].test[0].subject);
      EXPECT_FALSE(train_subjects.count(s.subject));
    }
  }
  std::vector<Sample> anonymous = samples;
  anonymous[0].subject.clear();
  EXPECT_TRUE(contains(error_message([&] { leave_one_subject_out(anonymous); }), "no subject"));
}

}  // namespace
}  // namespace faceage
