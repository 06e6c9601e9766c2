// MORPH Album 2: file names {subject}_{picture}{M|F}{age}.JPG and the distributed CSV
// (synthetic: MORPH is licensed and not on this machine).
#include <gtest/gtest.h>

#include "data_test_support.h"
#include "faceage/data/morph_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

TEST(MorphName, ParsesSubjectGenderAndAge) {
  const auto name = parse_morph_name("003299_00M21.JPG");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->subject, "003299");
  EXPECT_EQ(name->gender, 0);
  EXPECT_EQ(name->age, 21);
  const auto female = parse_morph_name("290468_1F45.jpg");
  ASSERT_TRUE(female);
  EXPECT_EQ(female->gender, 1);
  EXPECT_EQ(female->age, 45);
  EXPECT_FALSE(parse_morph_name("003299_00X21.JPG"));
  EXPECT_FALSE(parse_morph_name("003299-00M21.JPG"));
  EXPECT_FALSE(parse_morph_name("003299_00M.JPG"));
  EXPECT_FALSE(parse_morph_name("003299_00M21.txt"));
}

TEST(MorphReader, ReadsTheCsvAsDistributed) {
  const std::string dir = temp_dir("morph-csv");
  const std::string csv = write_text_file(dir + "/morph_2008_nonCommercial.csv",
      "id_num,picture_num,dob,doa,race,gender,facial_hair,age,age_diff,glasses,photo\n"
      "3299,0,1/5/1979,3/9/2000,B,M,0,21,0,0,Album2/003299_00M21.JPG\n"
      "3299,1,1/5/1979,6/2/2003,B,M,0,24,3,0,Album2/003299_01M24.JPG\n"
      "290468,1,2/2/1960,5/5/2005,W,F,0,45,0,1,Album2/290468_1F45.JPG\n"
      ",2,2/2/1960,5/5/2006,H,F,0,46,0,1,Album2/290468_2F46.JPG\n");
  const ReadResult result = read_morph(csv);
  ASSERT_EQ(result.samples.size(), 4u);
  EXPECT_EQ(result.samples[0].image_path, dir + "/Album2/003299_00M21.JPG");
  EXPECT_EQ(result.samples[0].subject, "3299");
  EXPECT_EQ(result.samples[0].ethnicity, 1);  // B = Black
  EXPECT_EQ(result.samples[0].gender, 0);
  EXPECT_EQ(result.samples[2].ethnicity, 0);  // W = White
  EXPECT_EQ(result.samples[2].gender, 1);
  EXPECT_EQ(result.samples[3].ethnicity, 4);  // H = Hispanic, counted as Other
  EXPECT_EQ(result.samples[3].subject, "290468");  // from the file name where id_num is empty
  EXPECT_EQ(result.samples[3].age, 46);
}

TEST(MorphReader, AMalformedCsvRowNamesFileAndLine) {
  const std::string dir = temp_dir("morph-bad");
  const std::string csv = write_text_file(dir + "/morph.csv",
      "id_num,race,gender,age,photo\n1,B,M,21,a/000001_00M21.JPG\n2,Q,M,22,a/000002_00M22.JPG\n");
  EXPECT_TRUE(contains(error_message([&] { read_morph(csv); }), csv + ": line 3: race 'Q'"));
}

TEST(MorphReader, ReadsAFolderByFileNames) {
  const std::string dir = temp_dir("morph-folder");
  for (const char* name : {"Album2/003299_00M21.JPG", "Album2/003299_01M24.JPG", "Album2/290468_1F45.JPG",
                           "Album2/notes.txt", "Album2/broken.JPG"})
    write_text_file(dir + "/" + name, "");
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const ReadResult result = read_morph(dir, skip);
  ASSERT_EQ(result.samples.size(), 3u);
  EXPECT_EQ(result.samples[1].subject, "003299");
  EXPECT_EQ(result.samples[1].age, 24);
  EXPECT_EQ(result.samples[2].gender, 1);
  EXPECT_EQ(result.samples[2].ethnicity, kUnknownLabel);
  EXPECT_EQ(result.report.rows_skipped, 1u);
  EXPECT_EQ(result.report.files_ignored, 1u);
  EXPECT_TRUE(contains(error_message([&] { read_morph(dir); }), "broken.JPG: malformed MORPH name"));
}

}  // namespace
}  // namespace faceage
