// Dataset rows as CSV: the reference's columns, ours, round trips on real UTKFace rows,
// and malformed lines (synthetic: the point is the edge cases).
#include <gtest/gtest.h>

#include "data_test_support.h"
#include "faceage/data/sample_csv.h"
#include "faceage/data/utkface_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

const std::string kFace = "26_1_0_20170116171048641.jpg.chip.jpg";

TEST(SampleCsv, ReadsTheReferenceColumnsInAnyOrderAndCase) {
  const std::string dir = temp_dir("csv-reference");
  const std::string csv = write_text_file(dir + "/train.csv",
      "Unnamed: 0,photo,age,deg,box1,box2,box3,box4,gender,race\n"
      "0," + utkface_image(kFace) + ",26,-3.5,40.25,50,160,180.5,1,0\n"
      "1," + utkface_image(kFace) + ",27.5,,,,,,,\n");
  const ReadResult result = read_samples_csv(csv);
  ASSERT_EQ(result.samples.size(), 2u);
  const Sample& first = result.samples[0];
  EXPECT_EQ(first.image_path, utkface_image(kFace));
  EXPECT_EQ(first.age, 26);
  EXPECT_EQ(first.gender, 1);
  EXPECT_EQ(first.ethnicity, 0);
  ASSERT_TRUE(first.angle.has_value());
  EXPECT_EQ(*first.angle, -3.5);
  ASSERT_TRUE(first.box.has_value());
  EXPECT_EQ(first.box->x1, 40.25);
  EXPECT_EQ(first.box->y1, 50);
  EXPECT_EQ(first.box->x2, 160);
  EXPECT_EQ(first.box->y2, 180.5);
  // Empty optional fields are unknown, not zero.
  const Sample& second = result.samples[1];
  EXPECT_EQ(second.age, 27.5);
  EXPECT_EQ(second.gender, kUnknownLabel);
  EXPECT_EQ(second.ethnicity, kUnknownLabel);
  EXPECT_FALSE(second.angle.has_value());
  EXPECT_FALSE(second.box.has_value());
  EXPECT_EQ(result.report.rows_read, 2u);
  EXPECT_EQ(result.report.rows_skipped, 0u);
}

TEST(SampleCsv, RelativePathsResolveAgainstTheCsvFolderOrTheImageRoot) {
  const std::string dir = temp_dir("csv-relative");
  const std::string csv = write_text_file(dir + "/lists/a.csv",
      "photo,age,subject\nfaces/x.jpg,30,p7\n\"faces/with, comma.jpg\",31,p8\n");
  ReadResult result = read_samples_csv(csv);
  ASSERT_EQ(result.samples.size(), 2u);
  EXPECT_EQ(result.samples[0].image_path, dir + "/lists/faces/x.jpg");
  EXPECT_EQ(result.samples[1].image_path, dir + "/lists/faces/with, comma.jpg");
  EXPECT_EQ(result.samples[0].subject, "p7");

  ReadOptions options;
  options.image_root = utkface_dir();
  result = read_samples_csv(csv, options);
  EXPECT_EQ(result.samples[0].image_path, utkface_dir() + "/faces/x.jpg");
}

TEST(SampleCsv, WindowsLineEndingsAndByteOrderMarkAreAccepted) {
  const std::string dir = temp_dir("csv-crlf");
  const std::string csv =
      write_text_file(dir + "/a.csv", "\xEF\xBB\xBFphoto,age\r\nx.jpg,3\r\n\r\ny.jpg,4\r\n");
  const ReadResult result = read_samples_csv(csv);
  ASSERT_EQ(result.samples.size(), 2u);
  EXPECT_EQ(result.samples[1].age, 4);
}

TEST(SampleCsv, WriteThenReadGivesTheSameRealRows) {
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  std::vector<Sample> samples = read_utkface(utkface_dir(), skip).samples;
  samples.resize(50);
  samples[3].angle = 12.125;
  samples[3].box = FaceBox{10.5, 20, 180, 190.75};
  samples[4].gender = kUnknownLabel;
  samples[5].subject = "person, with comma";
  samples[6].age = 33.25;

  const std::string dir = temp_dir("csv-roundtrip");
  write_samples_csv(dir + "/rows.csv", samples);
  const ReadResult back = read_samples_csv(dir + "/rows.csv");
  ASSERT_EQ(back.samples.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& a = samples[i];
    const Sample& b = back.samples[i];
    EXPECT_EQ(b.image_path, a.image_path) << i;
    EXPECT_EQ(b.age, a.age) << i;
    EXPECT_EQ(b.gender, a.gender) << i;
    EXPECT_EQ(b.ethnicity, a.ethnicity) << i;
    EXPECT_EQ(b.subject, a.subject) << i;
    EXPECT_EQ(b.angle, a.angle) << i;
    ASSERT_EQ(b.box.has_value(), a.box.has_value()) << i;
    if (a.box) {
      EXPECT_EQ(b.box->x1, a.box->x1);
      EXPECT_EQ(b.box->y2, a.box->y2);
    }
  }
}

TEST(SampleCsv, WritesImagePathsRelativeToTheCsvFolderWhenInside) {
  const std::string dir = temp_dir("csv-write-relative");
  Sample inside, outside;
  inside.image_path = dir + "/images/a.jpg";
  outside.image_path = "/elsewhere/b.jpg";
  write_samples_csv(dir + "/rows.csv", {inside, outside});
  std::ifstream in(dir + "/rows.csv");
  std::string header, first, second;
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_EQ(header, "photo,age,gender,race,subject,deg,box1,box2,box3,box4");
  EXPECT_EQ(first.substr(0, first.find(',')), "images/a.jpg");
  EXPECT_EQ(second.substr(0, second.find(',')), "/elsewhere/b.jpg");
}

// One malformed line per case, between two good ones.
struct MalformedCase {
  const char* line;
  const char* expected_reason;
};

class MalformedCsvLine : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedCsvLine, IsAnErrorNamingFileAndLineOrSkippedWhenAsked) {
  const std::string dir = temp_dir("csv-malformed");
  const std::string csv = write_text_file(dir + "/bad.csv",
      std::string("photo,age,gender,race,deg,box1,box2,box3,box4\n"
                  "good1.jpg,20,0,1,,,,,\n") + GetParam().line + "\ngood2.jpg,21,1,2,,,,,\n");
  const std::string message = error_message([&] { read_samples_csv(csv); });
  EXPECT_TRUE(contains(message, csv + ": line 3: ")) << message;
  EXPECT_TRUE(contains(message, GetParam().expected_reason)) << message;

  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const ReadResult result = read_samples_csv(csv, skip);
  ASSERT_EQ(result.samples.size(), 2u);
  EXPECT_EQ(result.samples[1].age, 21);
  EXPECT_EQ(result.report.rows_read, 2u);
  EXPECT_EQ(result.report.rows_skipped, 1u);
  ASSERT_EQ(result.report.skipped_examples.size(), 1u);
  EXPECT_EQ(result.report.skipped_examples[0], message);
  EXPECT_TRUE(contains(result.report.summary(), "1 malformed skipped")) << result.report.summary();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedCsvLine,
    ::testing::Values(MalformedCase{"missing.jpg,20,0,1", "4 fields, the header has 9"},
                      MalformedCase{"extra.jpg,20,0,1,,,,,,7", "10 fields, the header has 9"},
                      MalformedCase{"text.jpg,twenty,0,1,,,,,", "age 'twenty' is not a number"},
                      MalformedCase{"partly.jpg,20abc,0,1,,,,,", "age '20abc' is not a number"},
                      MalformedCase{"empty.jpg,,0,1,,,,,", "age '' is not a number"},
                      MalformedCase{"negative.jpg,-1,0,1,,,,,", "age -1 is outside [0, 130]"},
                      MalformedCase{"old.jpg,1990,0,1,,,,,", "age 1990 is outside [0, 130]"},
                      MalformedCase{"nan.jpg,nan,0,1,,,,,", "age 'nan' is not a number"},
                      MalformedCase{"g.jpg,20,x,1,,,,,", "gender 'x' is not 0/1/M/F"},
                      MalformedCase{"r.jpg,20,0,9,,,,,", "race '9' is not 0-4"},
                      MalformedCase{"a.jpg,20,0,1,left,,,,", "angle deg 'left' is not a number"},
                      MalformedCase{"b.jpg,20,0,1,,10,10,5,50", "face box (10, 10)-(5, 50) is empty or inverted"},
                      MalformedCase{"c.jpg,20,0,1,,10,10,50,", "face box has only some of box1..box4"},
                      MalformedCase{",20,0,1,,,,,", "empty image path"},
                      MalformedCase{"\"open.jpg,20,0,1,,,,,", "unterminated quoted field"}));

TEST(SampleCsv, HeaderProblemsAreErrorsEvenWhenSkipping) {
  const std::string dir = temp_dir("csv-header");
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const std::string no_age = write_text_file(dir + "/no_age.csv", "photo,years\na.jpg,3\n");
  EXPECT_TRUE(contains(error_message([&] { read_samples_csv(no_age, skip); }), "no 'age' column"));
  const std::string no_image = write_text_file(dir + "/no_image.csv", "age\n3\n");
  EXPECT_TRUE(contains(error_message([&] { read_samples_csv(no_image, skip); }), "no image column"));
  const std::string twice = write_text_file(dir + "/twice.csv", "photo,age,filename\na.jpg,3,b.jpg\n");
  EXPECT_TRUE(contains(error_message([&] { read_samples_csv(twice, skip); }), "column 'filename'"));
  const std::string empty = write_text_file(dir + "/empty.csv", "");
  EXPECT_TRUE(contains(error_message([&] { read_samples_csv(empty, skip); }), "empty file"));
  EXPECT_TRUE(contains(error_message([&] { read_samples_csv(dir + "/absent.csv"); }), "absent.csv"));
}

TEST(SampleCsv, DuplicateRowsAreReadAsTheyAreForDeduplicationToResolve) {
  const std::string dir = temp_dir("csv-duplicates");
  const std::string csv = write_text_file(dir + "/dup.csv", "photo,age\na.jpg,20\na.jpg,20\na.jpg,25\n");
  EXPECT_EQ(read_samples_csv(csv).samples.size(), 3u);  // deduplicate_test.cpp resolves them
}

}  // namespace
}  // namespace faceage
