#include "faceage/learn/metrics.h"

#include <cmath>

#include "faceage/core/error.h"

namespace faceage {
namespace {

void check_sizes(const std::vector<double>& predicted, const std::vector<double>& truth,
                 const char* metric) {
  if (predicted.size() != truth.size())
    fail("{}: {} predictions for {} true ages", metric, predicted.size(), truth.size());
  if (truth.empty()) fail("{}: no samples", metric);
}

}  // namespace

double mean_absolute_error(const std::vector<double>& predicted, const std::vector<double>& truth) {
  check_sizes(predicted, truth, "MAE");
  double sum = 0.0;
  for (size_t i = 0; i < truth.size(); ++i) sum += std::abs(predicted[i] - truth[i]);
  return sum / static_cast<double>(truth.size());
}

double cumulative_accuracy(const std::vector<double>& predicted, const std::vector<double>& truth,
                           double n) {
  check_sizes(predicted, truth, "CA");
  int64_t within = 0;
  for (size_t i = 0; i < truth.size(); ++i)
    if (std::abs(predicted[i] - truth[i]) < n) ++within;
  return 100.0 * static_cast<double>(within) / static_cast<double>(truth.size());
}

std::map<std::string, GroupError> mae_per_group(const std::vector<double>& predicted,
                                                const std::vector<double>& truth,
                                                const std::vector<std::string>& groups) {
  check_sizes(predicted, truth, "MAE per group");
  if (groups.size() != truth.size())
    fail("MAE per group: {} group names for {} samples", groups.size(), truth.size());
  std::map<std::string, GroupError> result;
  for (size_t i = 0; i < truth.size(); ++i) {
    GroupError& group = result[groups[i]];
    group.count += 1;
    group.mae += std::abs(predicted[i] - truth[i]);
    group.mean_signed_error += predicted[i] - truth[i];
  }
  for (auto& [name, group] : result) {
    group.mae /= static_cast<double>(group.count);
    group.mean_signed_error /= static_cast<double>(group.count);
  }
  return result;
}

const std::vector<std::string>& age_bands() {
  static const std::vector<std::string> bands = {"0-2",   "3-9",   "10-19", "20-29", "30-39",
                                                 "40-49", "50-59", "60-69", "70+"};
  return bands;
}

std::string age_band(double age) {
  if (age < 3) return "0-2";
  if (age < 10) return "3-9";
  if (age >= 70) return "70+";
  const int decade = static_cast<int>(age / 10) * 10;
  return std::to_string(decade) + "-" + std::to_string(decade + 9);
}

AgeMetrics age_metrics(const std::vector<double>& predicted, const std::vector<double>& truth) {
  AgeMetrics metrics;
  metrics.count = static_cast<int64_t>(truth.size());
  metrics.mae = mean_absolute_error(predicted, truth);
  metrics.ca3 = cumulative_accuracy(predicted, truth, 3);
  metrics.ca5 = cumulative_accuracy(predicted, truth, 5);
  metrics.ca7 = cumulative_accuracy(predicted, truth, 7);
  return metrics;
}

}  // namespace faceage
