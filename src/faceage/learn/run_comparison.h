#pragma once
// Several training runs on one figure: their losses and validation MAE by epoch, read from
// each run's metrics.jsonl (trainer.h writes one line per epoch). The paper compares
// classification and label distribution learning this way (Figures 11-12: validation
// loss rising under cross entropy, stable under LDL); `faceage curves` draws it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faceage {

struct RunHistory {
  std::string name;                   // the legend's label
  std::vector<nlohmann::json> epochs;  // metrics.jsonl's lines, in order
};

// A run folder (its metrics.jsonl) or a metrics.jsonl file, named by `name` or, when
// empty, by the folder. Throws faceage::Error naming the file and line for a missing or
// empty file and a line that is not a JSON object with an "epoch".
RunHistory read_run_history(const std::string& run_or_metrics, const std::string& name = "");

// Three panels side by side: train loss, validation loss and validation MAE, one line
// per run. Losses of different formulations differ in scale (cross entropy against
// KL + L1 in years): with `relative_losses` each run's losses are divided by its first
// epoch's, so their shapes can be compared on one axis.
void write_run_comparison(const std::string& path, const std::vector<RunHistory>& runs,
                          bool relative_losses = false);

}  // namespace faceage
