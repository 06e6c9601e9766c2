// UTKFace names on the real folder, including the malformed names it ships with
// (README: a missing race field, a missing dot, a space).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "data_test_support.h"
#include "faceage/data/utkface_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

// The malformed names in ../shared/data/utkface, found by listing the folder.
const std::set<std::string> kMalformedNames = {
    "24_0_1_20170116220224657 .jpg.chip.jpg",  // a space
    "39_1_20170116174525125.jpg.chip.jpg",     // race missing
    "55_0_0_20170116232725357jpg.chip.jpg",    // a dot missing
    "61_1_20170109150557335.jpg.chip.jpg",     // race missing
};

size_t jpg_files_in(const std::string& folder) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    count += entry.path().extension() == ".jpg";
  return count;
}

TEST(UtkfaceName, WellFormedNamesGiveTheirLabels) {
  const UtkfaceName name = parse_utkface_name("100_1_0_20170110183726390.jpg.chip.jpg");
  ASSERT_TRUE(name.labels) << name.problem;
  EXPECT_EQ(name.labels->age, 100);
  EXPECT_EQ(name.labels->gender, 1);
  EXPECT_EQ(name.labels->ethnicity, 0);
  // The in-the-wild release ends in .jpg only; real names carry 16 to 18 datetime digits.
  EXPECT_TRUE(parse_utkface_name("9_0_4_20170103200814791.jpg").labels);
  EXPECT_TRUE(parse_utkface_name("14_0_0_2017011022340900.jpg.chip.jpg").labels);
  EXPECT_TRUE(parse_utkface_name("28_1_2_201701161846515488.jpg.chip.jpg").labels);
}

TEST(UtkfaceName, EachKindOfMalformedNameSaysWhatIsWrong) {
  EXPECT_EQ(parse_utkface_name("39_1_20170116174525125.jpg.chip.jpg").problem,
            "3 fields where {age}_{gender}_{race}_{datetime} has 4 (race missing?)");
  EXPECT_EQ(parse_utkface_name("24_0_1_20170116220224657 .jpg.chip.jpg").problem, "stray space in the name");
  EXPECT_TRUE(contains(parse_utkface_name("55_0_0_20170116232725357jpg.chip.jpg").problem, "missing dot"));
  EXPECT_TRUE(contains(parse_utkface_name("x_0_0_20170116232725357.jpg").problem, "age 'x'"));
  EXPECT_TRUE(contains(parse_utkface_name("20_2_0_20170116232725357.jpg").problem, "gender '2'"));
  EXPECT_TRUE(contains(parse_utkface_name("20_0_5_20170116232725357.jpg").problem, "race '5'"));
  EXPECT_TRUE(contains(parse_utkface_name("200_0_0_20170116232725357.jpg").problem, "outside"));
  EXPECT_TRUE(contains(parse_utkface_name("20_0_0_1.png").problem, "not a .jpg"));
}

TEST(UtkfaceReader, SkipsAndCountsExactlyTheRealMalformedNames) {
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const ReadResult result = read_utkface(utkface_dir(), skip);
  const size_t files = jpg_files_in(utkface_dir());
  EXPECT_EQ(result.report.rows_skipped, kMalformedNames.size());
  EXPECT_EQ(result.samples.size(), files - kMalformedNames.size());
  EXPECT_EQ(result.report.rows_read, result.samples.size());

  std::set<std::string> reported;
  for (const std::string& reason : result.report.skipped_examples) {
    for (const std::string& name : kMalformedNames)
      if (contains(reason, utkface_dir() + "/" + name + ": malformed UTKFace name")) reported.insert(name);
  }
  EXPECT_EQ(reported, kMalformedNames);

  // Every row has the dataset's label ranges and no alignment (the faces are pre-aligned).
  for (const Sample& s : result.samples) {
    ASSERT_GE(s.age, 1) << s.image_path;
    ASSERT_LE(s.age, 116) << s.image_path;
    ASSERT_TRUE(s.gender == 0 || s.gender == 1) << s.image_path;
    ASSERT_TRUE(s.ethnicity >= 0 && s.ethnicity <= 4) << s.image_path;
    ASSERT_FALSE(s.angle || s.box) << s.image_path;
  }
  // File-name order, whatever the file system's listing order.
  EXPECT_TRUE(std::is_sorted(result.samples.begin(), result.samples.end(),
                             [](const Sample& a, const Sample& b) { return a.image_path < b.image_path; }));
}

TEST(UtkfaceReader, ByDefaultAMalformedNameIsAnErrorNamingTheFile) {
  const std::string message = error_message([] { read_utkface(utkface_dir()); });
  EXPECT_TRUE(contains(message, "malformed UTKFace name")) << message;
  // Names are read in order, so the first malformed one in name order is reported.
  EXPECT_TRUE(contains(message, utkface_dir() + "/" + *kMalformedNames.begin())) << message;
}

TEST(UtkfaceReader, IgnoresFilesThatAreNotImagesAndNamesAMissingFolder) {
  const std::string dir = temp_dir("utkface-small");
  std::filesystem::copy_file(utkface_image("26_1_0_20170116171048641.jpg.chip.jpg"),
                             dir + "/26_1_0_20170116171048641.jpg.chip.jpg");
  write_text_file(dir + "/README.txt", "notes");
  const ReadResult result = read_utkface(dir);
  ASSERT_EQ(result.samples.size(), 1u);
  EXPECT_EQ(result.samples[0].age, 26);
  EXPECT_EQ(result.report.files_ignored, 1u);
  EXPECT_TRUE(contains(error_message([&] { read_utkface(dir + "/absent"); }), dir + "/absent"));
}

}  // namespace
}  // namespace faceage
