#pragma once
// What `faceage eval` and the trainer write for people and machines: metrics overall,
// per age band, per gender and per ethnicity; a predicted-versus-true plot; the worst
// predictions; training curves.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/data/sample.h"
#include "faceage/learn/evaluation.h"

namespace faceage {

// MAE and CA(3/5/7) overall, MAE per age band / gender / ethnicity (where labels are
// known), and head accuracies when the model has gender/ethnicity heads.
nlohmann::json evaluation_report(const Predictions& predictions);

// Human-readable table of the same report.
std::string format_report(const nlohmann::json& report);

// Predicted-versus-true counts as a PNG heat map (ages 0..100).
void write_confusion_plot(const std::string& path, const Predictions& predictions);

// The `count` largest absolute errors as CSV: photo, true age, predicted age, error, spread.
void write_worst_predictions(const std::string& path, const Predictions& predictions,
                             const std::vector<Sample>& samples, size_t count);

// Loss and validation MAE/CA curves from metrics.jsonl lines, as one PNG; a run over
// several datasets also draws each set's validation MAE ("validation_sets").
void write_training_curves(const std::string& path, const std::vector<nlohmann::json>& history);

}  // namespace faceage
