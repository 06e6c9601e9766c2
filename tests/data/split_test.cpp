// Seeded splits on the real UTKFace rows: sizes, reproducibility, disjointness, and the
// subject-disjoint option.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data_test_support.h"
#include "faceage/data/split.h"
#include "faceage/data/utkface_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

const std::vector<Sample>& utkface_rows() {
  static const std::vector<Sample> rows = [] {
    ReadOptions skip;
    skip.on_malformed = MalformedPolicy::skip;
    return read_utkface(utkface_dir(), skip).samples;
  }();
  return rows;
}

std::vector<std::string> paths(const std::vector<Sample>& samples) {
  std::vector<std::string> result;
  for (const Sample& s : samples) result.push_back(s.image_path);
  return result;
}

TEST(Split, ImageLevelSizesFollowTheFractions) {
  const std::vector<Sample>& rows = utkface_rows();
  const size_t n = rows.size();
  const DatasetSplit split = split_dataset(rows, {{0.7, 0.1, 0.2}, 42, false});
  EXPECT_EQ(split.train.size(), static_cast<size_t>(std::llround(0.7 * n)));
  EXPECT_EQ(split.validation.size(), static_cast<size_t>(std::llround(0.1 * n)));
  EXPECT_EQ(split.train.size() + split.validation.size() + split.test.size(), n);

  std::set<std::string> all;
  for (const auto* part : {&split.train, &split.validation, &split.test})
    for (const Sample& s : *part) EXPECT_TRUE(all.insert(s.image_path).second) << "in two parts: " << s.image_path;
  EXPECT_EQ(all.size(), n);
}

TEST(Split, TheSameSeedGivesTheSameSplitAndAnotherSeedAnotherOne) {
  const std::vector<Sample>& rows = utkface_rows();
  const SplitOptions options{{0.8, 0.0, 0.2}, 7, false};  // the paper's 80/20
  const DatasetSplit a = split_dataset(rows, options);
  const DatasetSplit b = split_dataset(rows, options);
  EXPECT_EQ(paths(a.train), paths(b.train));
  EXPECT_EQ(paths(a.test), paths(b.test));
  EXPECT_TRUE(a.validation.empty());
  const DatasetSplit c = split_dataset(rows, {{0.8, 0.0, 0.2}, 8, false});
  EXPECT_NE(paths(a.test), paths(c.test));
  // Random, not the first 80%: the test part spans the whole file-name order.
  EXPECT_LT(a.test.front().image_path, rows[rows.size() / 10].image_path);
  EXPECT_GT(a.test.back().image_path, rows[rows.size() * 9 / 10].image_path);
}

TEST(Split, PartsKeepDatasetOrder) {
  const DatasetSplit split = split_dataset(utkface_rows(), {{0.5, 0.25, 0.25}, 3, false});
  for (const auto* part : {&split.train, &split.validation, &split.test}) {
    const std::vector<std::string> p = paths(*part);
    EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
  }
}

TEST(Split, SubjectDisjointKeepsEachPersonOnOneSide) {
  // UTKFace has no subject ids; give every 5 consecutive rows one invented subject.
  std::vector<Sample> rows = utkface_rows();
  for (size_t i = 0; i < rows.size(); ++i) rows[i].subject = "s" + std::to_string(i / 5);
  const DatasetSplit split = split_dataset(rows, {{0.7, 0.1, 0.2}, 11, true});

  std::map<std::string, int> part_of_subject;
  int part = 0;
  for (const auto* samples : {&split.train, &split.validation, &split.test}) {
    for (const Sample& s : *samples) {
      const auto [found, inserted] = part_of_subject.emplace(s.subject, part);
      EXPECT_EQ(found->second, part) << s.subject << " is in two parts";
    }
    ++part;
  }
  const double n = static_cast<double>(rows.size());
  EXPECT_NEAR(split.train.size() / n, 0.7, 5 / n);  // within one subject
  EXPECT_NEAR(split.validation.size() / n, 0.1, 5 / n);
  EXPECT_EQ(split.train.size() + split.validation.size() + split.test.size(), rows.size());

  const DatasetSplit again = split_dataset(rows, {{0.7, 0.1, 0.2}, 11, true});
  EXPECT_EQ(paths(again.test), paths(split.test));

  // The image-level split of the same rows does put people on both sides.
  const DatasetSplit mixed = split_dataset(rows, {{0.7, 0.1, 0.2}, 11, false});
  std::set<std::string> train_subjects;
  for (const Sample& s : mixed.train) train_subjects.insert(s.subject);
  size_t shared = 0;
  for (const Sample& s : mixed.test) shared += train_subjects.count(s.subject);
  EXPECT_GT(shared, 0u);
}

TEST(Split, BadFractionsAreErrors) {
  const std::vector<Sample> rows(10);
  EXPECT_TRUE(contains(error_message([&] { split_dataset(rows, {{0.8, 0.1, 0.2}, 0, false}); }), "sum to 1"));
  EXPECT_TRUE(contains(error_message([&] { split_dataset(rows, {{1.2, -0.2, 0.0}, 0, false}); }), "negative"));
}

TEST(Split, SmallAndEmptyDatasets) {
  EXPECT_TRUE(split_dataset({}, {}).train.empty());
  std::vector<Sample> three(3);
  const DatasetSplit split = split_dataset(three, {{0.5, 0.0, 0.5}, 0, false});
  EXPECT_EQ(split.train.size(), 2u);  // round(1.5) = 2
  EXPECT_EQ(split.test.size(), 1u);
}

}  // namespace
}  // namespace faceage
