#pragma once
// Evaluation metrics of paper §4.2, computed on plain vectors of years so they serve
// training, `faceage eval` and tests alike.
#include <map>
#include <string>
#include <vector>

namespace faceage {

// Mean absolute error (eq. 5), in years. Throws faceage::Error if sizes differ or are 0.
double mean_absolute_error(const std::vector<double>& predicted, const std::vector<double>& truth);

// CA(n) (eq. 6): percentage of samples whose absolute error is strictly below n.
double cumulative_accuracy(const std::vector<double>& predicted, const std::vector<double>& truth,
                           double n);

struct GroupError {
  int64_t count = 0;
  double mae = 0.0;
  double mean_signed_error = 0.0;  // mean of predicted - true: > 0 = called too old
};

// MAE and mean signed error of each group; groups[i] names the group of sample i (age band, gender, ...).
std::map<std::string, GroupError> mae_per_group(const std::vector<double>& predicted,
                                                const std::vector<double>& truth,
                                                const std::vector<std::string>& groups);

// The age band a true age falls in: "0-2", "3-9", "10-19", ..., "60-69", "70+".
std::string age_band(double age);

// The bands in order, for reports.
const std::vector<std::string>& age_bands();

// All the figures a report needs, in one pass.
struct AgeMetrics {
  int64_t count = 0;
  double mae = 0.0;
  double ca3 = 0.0, ca5 = 0.0, ca7 = 0.0;
};
AgeMetrics age_metrics(const std::vector<double>& predicted, const std::vector<double>& truth);

}  // namespace faceage
