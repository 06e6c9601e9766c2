// read_dataset: the one entry point, recognising each format by itself.
#include <gtest/gtest.h>

#include "data_test_support.h"
#include "faceage/data/dataset.h"

namespace faceage {
namespace {
using namespace faceage::testing;

TEST(Dataset, RecognisesEachFormat) {
  EXPECT_EQ(detect_dataset_format(utkface_dir()), DatasetFormat::utkface);

  const std::string dir = temp_dir("dataset-formats");
  write_text_file(dir + "/ours.csv", "photo,age\na.jpg,3\n");
  EXPECT_EQ(detect_dataset_format(dir + "/ours.csv"), DatasetFormat::csv);
  write_text_file(dir + "/morph.csv", "id_num,picture_num,race,gender,age,photo\n1,0,B,M,20,a/000001_00M20.JPG\n");
  EXPECT_EQ(detect_dataset_format(dir + "/morph.csv"), DatasetFormat::morph);
  write_text_file(dir + "/megaage/list/train_name.txt", "1.jpg\n");
  write_text_file(dir + "/megaage/list/train_age.txt", "5\n");
  EXPECT_EQ(detect_dataset_format(dir + "/megaage"), DatasetFormat::megaage);
  for (const char* name : {"001A02.JPG", "001A10.JPG", "002A05.JPG"}) write_text_file(dir + "/fgnet/" + name, "");
  EXPECT_EQ(detect_dataset_format(dir + "/fgnet"), DatasetFormat::fgnet);
  for (const char* name : {"000001_00M20.JPG", "000001_01M22.JPG"}) write_text_file(dir + "/morph/" + name, "");
  EXPECT_EQ(detect_dataset_format(dir + "/morph"), DatasetFormat::morph);

  write_text_file(dir + "/other/holiday.jpg", "");
  EXPECT_TRUE(contains(error_message([&] { detect_dataset_format(dir + "/other"); }), "cannot tell"));
  EXPECT_TRUE(contains(error_message([&] { detect_dataset_format(dir + "/absent"); }), "no such file"));
  write_text_file(dir + "/notes.txt", "");
  EXPECT_TRUE(contains(error_message([&] { detect_dataset_format(dir + "/notes.txt"); }), ".csv"));
}

TEST(Dataset, ReadsThroughTheDetectedReader) {
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const ReadResult utkface = read_dataset({utkface_dir()}, skip);
  EXPECT_GT(utkface.samples.size(), 20000u);
  EXPECT_EQ(utkface.report.rows_skipped, 4u);
  EXPECT_TRUE(contains(utkface.report.summary(), "4 malformed skipped")) << utkface.report.summary();

  const std::string dir = temp_dir("dataset-megaage");
  write_text_file(dir + "/list/test_name.txt", "9.jpg\n");
  write_text_file(dir + "/list/test_age.txt", "33\n");
  write_text_file(dir + "/list/train_name.txt", "1.jpg\n");
  write_text_file(dir + "/list/train_age.txt", "5\n");
  const ReadResult test = read_dataset({dir, DatasetFormat::automatic, "test"});
  ASSERT_EQ(test.samples.size(), 1u);
  EXPECT_EQ(test.samples[0].age, 33);
}

TEST(Dataset, FormatNames) {
  for (DatasetFormat format : {DatasetFormat::automatic, DatasetFormat::csv, DatasetFormat::utkface,
                               DatasetFormat::fgnet, DatasetFormat::morph, DatasetFormat::megaage})
    EXPECT_EQ(dataset_format_from_name(dataset_format_name(format)), format);
  EXPECT_EQ(dataset_format_from_name(" UTKFace "), DatasetFormat::utkface);
  EXPECT_TRUE(contains(error_message([] { dataset_format_from_name("imdb"); }), "unknown dataset format 'imdb'"));
}

}  // namespace
}  // namespace faceage
