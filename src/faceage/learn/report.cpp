#include "faceage/learn/report.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

#include "faceage/data/label_parsing.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"
#include "faceage/io/plot.h"
#include "faceage/learn/metrics.h"

namespace faceage {

using json = nlohmann::json;

namespace {


// MAE per group for the samples whose group is known (label >= 0).
json group_report(const Predictions& p, const std::vector<int>& labels, const char* const* names,
                  int name_count) {
  std::vector<double> predicted, truth;
  std::vector<std::string> groups;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) continue;
    predicted.push_back(p.predicted_age[i]);
    truth.push_back(p.true_age[i]);
    groups.push_back(labels[i] < name_count ? names[labels[i]] : std::to_string(labels[i]));
  }
  json out = json::object();
  if (truth.empty()) return out;
  for (const auto& [name, group] : mae_per_group(predicted, truth, groups))
    out[name] = {{"count", group.count}, {"mae", group.mae}, {"mean_signed_error", group.mean_signed_error}};
  return out;
}

// Share of known labels the head got right; null when there is no head or no label.
json head_accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
  int64_t known = 0, right = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || predicted[i] < 0) continue;
    ++known;
    right += truth[i] == predicted[i];
  }
  if (known == 0) return nullptr;
  return 100.0 * static_cast<double>(right) / static_cast<double>(known);
}

}  // namespace

json evaluation_report(const Predictions& p) {
  const AgeMetrics overall = age_metrics(p.predicted_age, p.true_age);
  std::vector<std::string> bands;
  for (double age : p.true_age) bands.push_back(age_band(age));
  json by_band = json::object();
  const auto per_band = mae_per_group(p.predicted_age, p.true_age, bands);
  for (const std::string& band : age_bands())
    if (per_band.count(band))
      by_band[band] = {{"count", per_band.at(band).count},
                       {"mae", per_band.at(band).mae},
                       {"mean_signed_error", per_band.at(band).mean_signed_error}};
  return {{"count", overall.count},
          {"mae", overall.mae},
          {"ca3", overall.ca3},
          {"ca5", overall.ca5},
          {"ca7", overall.ca7},
          {"mae_by_age_band", by_band},
          {"mae_by_gender", group_report(p, p.true_gender, kGenderNames, 2)},
          {"mae_by_ethnicity", group_report(p, p.true_ethnicity, kEthnicityNames, 5)},
          {"gender_accuracy", head_accuracy(p.true_gender, p.predicted_gender)},
          {"ethnicity_accuracy", head_accuracy(p.true_ethnicity, p.predicted_ethnicity)}};
}

std::string format_report(const json& r) {
  std::ostringstream out;
  out << fmt::format("samples {}  MAE {:.3f}  CA(3) {:.2f}%  CA(5) {:.2f}%  CA(7) {:.2f}%\n",
                     r["count"].get<int64_t>(), r["mae"].get<double>(), r["ca3"].get<double>(),
                     r["ca5"].get<double>(), r["ca7"].get<double>());
  for (const char* key : {"mae_by_age_band", "mae_by_gender", "mae_by_ethnicity"}) {
    if (r[key].empty()) continue;
    out << key << ":\n";
    for (const auto& [name, group] : r[key].items())
      out << fmt::format("  {:<8} {:>6} samples  MAE {:.3f}\n", name,
                         group["count"].get<int64_t>(), group["mae"].get<double>());
  }
  for (const char* key : {"gender_accuracy", "ethnicity_accuracy"})
    if (!r[key].is_null()) out << fmt::format("{} {:.2f}%\n", key, r[key].get<double>());
  return out.str();
}

void write_confusion_plot(const std::string& path, const Predictions& p) {
  constexpr int kBins = 101;
  std::vector<std::vector<double>> counts(kBins, std::vector<double>(kBins, 0));
  for (size_t i = 0; i < p.true_age.size(); ++i) {
    const int t = std::clamp(static_cast<int>(std::lround(p.true_age[i])), 0, kBins - 1);
    const int q = std::clamp(static_cast<int>(std::lround(p.predicted_age[i])), 0, kBins - 1);
    counts[static_cast<size_t>(q)][static_cast<size_t>(t)] += 1;  // rows: predicted
  }
  write_image(path, heat_map("predicted vs true age", "true age", "predicted", counts, 100));
}

void write_worst_predictions(const std::string& path, const Predictions& p,
                             const std::vector<Sample>& samples, size_t count) {
  std::vector<size_t> order(p.true_age.size());
  std::iota(order.begin(), order.end(), 0);
  auto error = [&](size_t i) { return std::abs(p.predicted_age[i] - p.true_age[i]); };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return error(a) > error(b); });
  std::ostringstream csv;
  csv << "photo,true_age,predicted_age,abs_error,spread\n";
  for (size_t k = 0; k < std::min(count, order.size()); ++k) {
    const size_t i = order[k];
    const size_t row = p.sample_indices.at(i);
    const std::string photo = row < samples.size() ? samples[row].image_path : "";
    csv << fmt::format("\"{}\",{:.0f},{:.2f},{:.2f},{:.2f}\n", photo, p.true_age[i],
                       p.predicted_age[i], error(i), i < p.age_spread.size() ? p.age_spread[i] : 0.0);
  }
  write_text_atomically(path, csv.str());
}

void write_training_curves(const std::string& path, const std::vector<json>& history) {
  Series train_loss{"train loss", {}, {}}, validation_loss{"validation loss", {}, {}};
  Series mae{"validation MAE", {}, {}}, ca3{"CA(3)", {}, {}}, ca5{"CA(5)", {}, {}},
      ca7{"CA(7)", {}, {}};
  std::vector<Series> set_mae;  // one line per dataset of a multi-dataset run
  for (const json& line : history) {
    const double epoch = line.value("epoch", 0) + 1;
    auto add = [&](Series& s, const json& values, const char* key) {
      s.x.push_back(epoch);
      s.y.push_back(values.is_object() ? values.value(key, std::nan("")) : std::nan(""));
    };
    add(train_loss, line, "train_loss"), add(validation_loss, line, "validation_loss");
    add(mae, line, "mae"), add(ca3, line, "ca3"), add(ca5, line, "ca5"), add(ca7, line, "ca7");
    if (!line.contains("validation_sets") || !line["validation_sets"].is_object()) continue;
    for (const auto& [name, figures] : line["validation_sets"].items()) {
      auto known = std::find_if(set_mae.begin(), set_mae.end(),
                                [&](const Series& s) { return s.name == name; });
      if (known == set_mae.end()) known = set_mae.insert(set_mae.end(), Series{name, {}, {}});
      add(*known, figures, "mae");
    }
  }
  if (!set_mae.empty()) mae.name = "all sets";
  std::vector<Series> mae_lines = {mae};
  mae_lines.insert(mae_lines.end(), set_mae.begin(), set_mae.end());
  write_image(path, hstack({line_chart("loss", "epoch", {train_loss, validation_loss}),
                            line_chart("validation MAE (years)", "epoch", mae_lines),
                            line_chart("validation CA (%)", "epoch", {ca3, ca5, ca7})}));
}

}  // namespace faceage
