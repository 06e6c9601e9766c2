#include "faceage/data/split.h"

#include <array>
#include <cmath>
#include <map>
#include <string>

#include "faceage/core/error.h"
#include "faceage/data/seeded_random.h"

namespace faceage {
namespace {

enum Part { kTrain = 0, kValidation = 1, kTest = 2 };

void check_fractions(const SplitFractions& f) {
  if (f.train < 0 || f.validation < 0 || f.test < 0)
    fail("split fractions must not be negative (train {}, validation {}, test {})", f.train,
         f.validation, f.test);
  if (std::abs(f.train + f.validation + f.test - 1.0) > 1e-6)
    fail("split fractions must sum to 1: train {} + validation {} + test {} = {}", f.train,
         f.validation, f.test, f.train + f.validation + f.test);
}

DatasetSplit gather(const std::vector<Sample>& samples, const std::vector<Part>& part_of) {
  DatasetSplit split;
  std::array<std::vector<Sample>*, 3> parts = {&split.train, &split.validation, &split.test};
  for (size_t i = 0; i < samples.size(); ++i) parts[part_of[i]]->push_back(samples[i]);
  return split;
}

// Subject of each sample; a sample without one is its own group.
std::vector<std::vector<size_t>> subject_groups(const std::vector<Sample>& samples) {
  std::map<std::string, size_t> group_of_subject;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].subject.empty()) {
      groups.push_back({i});
      continue;
    }
    const auto [found, inserted] = group_of_subject.emplace(samples[i].subject, groups.size());
    if (inserted) groups.emplace_back();
    groups[found->second].push_back(i);
  }
  return groups;
}

}  // namespace

DatasetSplit split_dataset(const std::vector<Sample>& samples, const SplitOptions& options) {
  const SplitFractions& f = options.fractions;
  check_fractions(f);
  const size_t n = samples.size();
  const std::array<double, 3> targets = {f.train * n, f.validation * n, f.test * n};
  std::vector<Part> part_of(n, kTest);
  SeededRandom random(mix_seeds({options.seed, 0x5b1e7}));

  if (!options.subject_disjoint) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    seeded_shuffle(order, random);
    const size_t train_count = std::min(n, static_cast<size_t>(std::llround(targets[kTrain])));
    const size_t validation_count =
        std::min(n - train_count, static_cast<size_t>(std::llround(targets[kValidation])));
    for (size_t k = 0; k < n; ++k)
      part_of[order[k]] = k < train_count ? kTrain : k < train_count + validation_count ? kValidation : kTest;
    return gather(samples, part_of);
  }

  std::vector<std::vector<size_t>> groups = subject_groups(samples);
  seeded_shuffle(groups, random);
  std::array<double, 3> filled = {0, 0, 0};
  for (const std::vector<size_t>& group : groups) {
    // The part with the largest shortfall takes the whole subject (ties: train first).
    int best = kTrain;
    for (int part : {kValidation, kTest})
      if (targets[part] - filled[part] > targets[best] - filled[best]) best = part;
    filled[best] += static_cast<double>(group.size());
    for (size_t i : group) part_of[i] = static_cast<Part>(best);
  }
  return gather(samples, part_of);
}

std::vector<DatasetSplit> leave_one_subject_out(const std::vector<Sample>& samples) {
  std::map<std::string, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].subject.empty())
      fail("{}: no subject, so leave-one-person-out folds cannot place it", samples[i].image_path);
    by_subject[samples[i].subject].push_back(i);
  }
  std::vector<DatasetSplit> folds;
  for (const auto& [subject, members] : by_subject) {
    std::vector<Part> part_of(samples.size(), kTrain);
    for (size_t i : members) part_of[i] = kTest;
    folds.push_back(gather(samples, part_of));
  }
  return folds;
}

}  // namespace faceage
