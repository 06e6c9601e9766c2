#include "faceage/learn/dataset_membership.h"

#include "faceage/core/error.h"

namespace faceage {

DatasetMembership membership_of_blocks(const std::vector<std::string>& names,
                                       const std::vector<size_t>& counts) {
  if (names.size() != counts.size())
    fail("membership_of_blocks: {} names for {} blocks", names.size(), counts.size());
  DatasetMembership membership;
  membership.names = names;
  for (size_t set = 0; set < counts.size(); ++set)
    membership.set_of_row.insert(membership.set_of_row.end(), counts[set], set);
  return membership;
}

Predictions predictions_of_set(const Predictions& p, const DatasetMembership& membership,
                               size_t set) {
  Predictions out;
  for (size_t i = 0; i < p.sample_indices.size(); ++i) {
    const size_t row = p.sample_indices[i];
    if (row >= membership.set_of_row.size())
      fail("predictions_of_set: sample {} is not one of the {} rows of the sets", row,
           membership.set_of_row.size());
    if (membership.set_of_row[row] != set) continue;
    auto copy = [&](auto& to, const auto& from) {
      if (i < from.size()) to.push_back(from[i]);
    };
    copy(out.predicted_age, p.predicted_age), copy(out.true_age, p.true_age);
    copy(out.age_spread, p.age_spread);
    copy(out.true_gender, p.true_gender), copy(out.predicted_gender, p.predicted_gender);
    copy(out.true_ethnicity, p.true_ethnicity);
    copy(out.predicted_ethnicity, p.predicted_ethnicity);
    out.sample_indices.push_back(row);
  }
  out.mean_loss = p.mean_loss;  // per batch, not per row: only the pooled figure exists
  return out;
}

std::vector<SetMetrics> metrics_per_set(const Predictions& predictions,
                                        const DatasetMembership& membership) {
  std::vector<SetMetrics> out;
  for (size_t set = 0; set < membership.names.size(); ++set) {
    const Predictions part = predictions_of_set(predictions, membership, set);
    if (part.true_age.empty()) continue;
    out.push_back({membership.names[set], age_metrics(part.predicted_age, part.true_age)});
  }
  return out;
}

}  // namespace faceage
