// Content deduplication on the real UTKFace folder, which holds the same photos more
// than once, often with different ages.
#include <gtest/gtest.h>

#include <unordered_map>

#include "data_test_support.h"
#include "faceage/data/deduplicate.h"
#include "faceage/data/sample_csv.h"
#include "faceage/data/utkface_reader.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace {
using namespace faceage::testing;

// One real pair: byte-identical files labelled 24 and 31 years old.
const std::string kYounger = "24_1_0_20170105162704533.jpg.chip.jpg";
const std::string kOlder = "31_1_0_20170105162708403.jpg.chip.jpg";

std::vector<Sample> utkface_rows() {
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  return read_utkface(utkface_dir(), skip).samples;
}

Sample row(const std::string& name, double age) {
  Sample sample;
  sample.image_path = utkface_image(name);
  sample.age = age;
  return sample;
}

TEST(Deduplicate, TheRealFolderKeepsOneRowPerContent) {
  const std::vector<Sample> rows = utkface_rows();
  const DeduplicationResult result = deduplicate_by_content(rows, LabelConflictPolicy::keep_first);
  const DeduplicationReport& report = result.report;
  EXPECT_GT(report.duplicate_groups, 0u);
  EXPECT_GT(report.conflicting_groups, 0u);
  EXPECT_LE(report.conflicting_groups, report.duplicate_groups);
  EXPECT_EQ(report.unreadable, 0u);
  EXPECT_EQ(report.kept_samples, result.samples.size());
  EXPECT_EQ(report.kept_samples + report.copies_removed, rows.size());

  // Checked independently by the file bytes themselves: kept rows are all different,
  // and every dropped row is a byte-for-byte copy of a kept one.
  std::unordered_map<std::string, std::string> kept_by_content;
  for (const Sample& s : result.samples)
    EXPECT_TRUE(kept_by_content.emplace(read_file_bytes(s.image_path), s.image_path).second)
        << s.image_path << " kept twice";
  size_t dropped = 0;
  size_t kept_index = 0;
  for (const Sample& s : rows) {
    if (kept_index < result.samples.size() && result.samples[kept_index].image_path == s.image_path) {
      ++kept_index;  // kept rows are in dataset order
      continue;
    }
    ++dropped;
    EXPECT_TRUE(kept_by_content.count(read_file_bytes(s.image_path))) << s.image_path << " dropped but unique";
  }
  EXPECT_EQ(dropped, report.copies_removed);

  // Conflict examples really disagree and really are copies.
  ASSERT_FALSE(report.conflict_examples.empty());
  for (const DuplicateGroup& group : report.conflict_examples) {
    ASSERT_GE(group.samples.size(), 2u);
    bool disagree = false;
    for (const Sample& s : group.samples) {
      disagree = disagree || labels_conflict(group.samples[0], s);
      EXPECT_EQ(read_file_bytes(s.image_path), read_file_bytes(group.samples[0].image_path));
    }
    EXPECT_TRUE(disagree);
  }
  EXPECT_TRUE(contains(report.summary(), "conflicting labels")) << report.summary();
}

TEST(Deduplicate, DropAllRemovesEveryCopyOfAConflict) {
  const std::vector<Sample> rows = utkface_rows();
  const DeduplicationResult keep = deduplicate_by_content(rows, LabelConflictPolicy::keep_first);
  const DeduplicationResult drop = deduplicate_by_content(rows, LabelConflictPolicy::drop_all, 3);
  EXPECT_EQ(drop.report.conflicting_groups, keep.report.conflicting_groups);
  EXPECT_EQ(drop.samples.size(), keep.samples.size() - keep.report.conflicting_groups);
  EXPECT_EQ(drop.samples.size() + drop.report.copies_removed + drop.report.conflict_rows_dropped, rows.size());
}

TEST(Deduplicate, AKnownRealConflictIsReportedAndResolvedByPolicy) {
  const std::vector<Sample> rows = {row("26_1_0_20170116171048641.jpg.chip.jpg", 26), row(kYounger, 24),
                                    row("100_1_0_20170110183726390.jpg.chip.jpg", 100), row(kOlder, 31)};
  const DeduplicationResult keep = deduplicate_by_content(rows, LabelConflictPolicy::keep_first);
  ASSERT_EQ(keep.samples.size(), 3u);
  EXPECT_EQ(keep.samples[1].image_path, utkface_image(kYounger));  // the first copy in dataset order
  EXPECT_EQ(keep.report.duplicate_groups, 1u);
  EXPECT_EQ(keep.report.conflicting_groups, 1u);
  ASSERT_EQ(keep.report.conflict_examples.size(), 1u);
  EXPECT_EQ(keep.report.conflict_examples[0].samples[0].age, 24);
  EXPECT_EQ(keep.report.conflict_examples[0].samples[1].age, 31);
  EXPECT_TRUE(contains(keep.report.summary(), kYounger)) << keep.report.summary();

  const DeduplicationResult drop = deduplicate_by_content(rows, LabelConflictPolicy::drop_all);
  ASSERT_EQ(drop.samples.size(), 2u);
  EXPECT_EQ(drop.report.conflict_rows_dropped, 2u);
}

TEST(Deduplicate, DuplicateCsvRowsAgreeingAreKeptOnceDisagreeingAreConflicts) {
  const std::string face = utkface_image("26_1_0_20170116171048641.jpg.chip.jpg");
  const std::string dir = temp_dir("dedup-csv");
  const std::string csv = write_text_file(dir + "/rows.csv",
      "photo,age,gender\n" + face + ",26,1\n" + face + ",26,\n" + face + ",26,1\n");
  DeduplicationResult result =
      deduplicate_by_content(read_samples_csv(csv).samples, LabelConflictPolicy::drop_all);
  EXPECT_EQ(result.samples.size(), 1u);  // an unknown gender does not conflict with a known one
  EXPECT_EQ(result.report.conflicting_groups, 0u);
  EXPECT_EQ(result.report.copies_removed, 2u);

  write_text_file(csv, "photo,age,gender\n" + face + ",26,1\n" + face + ",26,0\n");
  result = deduplicate_by_content(read_samples_csv(csv).samples, LabelConflictPolicy::drop_all);
  EXPECT_TRUE(result.samples.empty());
  EXPECT_EQ(result.report.conflicting_groups, 1u);
}

TEST(Deduplicate, UnreadableFilesAreDroppedAndCounted) {
  const std::vector<Sample> rows = {row("26_1_0_20170116171048641.jpg.chip.jpg", 26), row("no_such_file.jpg", 3)};
  const DeduplicationResult result = deduplicate_by_content(rows, LabelConflictPolicy::keep_first);
  EXPECT_EQ(result.samples.size(), 1u);
  EXPECT_EQ(result.report.unreadable, 1u);
  ASSERT_EQ(result.report.unreadable_examples.size(), 1u);
  EXPECT_TRUE(contains(result.report.unreadable_examples[0], "no_such_file.jpg"));
}

TEST(ContentHash, EqualBytesEqualHashesOtherwiseDifferent) {
  EXPECT_EQ(content_hash("abc"), content_hash(std::string("abc")));
  EXPECT_NE(content_hash("abc"), content_hash("abd"));
  EXPECT_NE(content_hash(""), content_hash(std::string(1, '\0')));
}

}  // namespace
}  // namespace faceage
