#include "faceage/learn/run_comparison.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "faceage/core/error.h"
#include "faceage/io/image.h"
#include "faceage/io/plot.h"

namespace faceage {

using json = nlohmann::json;

RunHistory read_run_history(const std::string& run_or_metrics, const std::string& name) {
  namespace fs = std::filesystem;
  const bool is_folder = fs::is_directory(run_or_metrics);
  const fs::path file = is_folder ? fs::path(run_or_metrics) / "metrics.jsonl" : fs::path(run_or_metrics);
  std::ifstream in(file);
  if (!in) fail("{}: cannot read (a run folder with metrics.jsonl, or a metrics.jsonl)", file.string());
  RunHistory run;
  const fs::path folder = is_folder ? fs::path(run_or_metrics) : file.parent_path();
  run.name = !name.empty() ? name : fs::absolute(folder).lexically_normal().filename().string();
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    json epoch = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!epoch.is_object() || !epoch.contains("epoch") || !epoch["epoch"].is_number())
      fail("{}: line {}: not an epoch record (a JSON object with \"epoch\")", file.string(), number);
    run.epochs.push_back(std::move(epoch));
  }
  if (run.epochs.empty()) fail("{}: no epochs recorded", file.string());
  return run;
}

namespace {

void divide_by_first(Series& series) {
  if (series.y.empty() || !std::isfinite(series.y[0]) || series.y[0] == 0) return;
  const double first = series.y[0];
  for (double& y : series.y) y /= first;
}

}  // namespace

void write_run_comparison(const std::string& path, const std::vector<RunHistory>& runs,
                          bool relative_losses) {
  if (runs.empty()) fail("{}: no runs to compare", path);
  std::vector<Series> train_loss, validation_loss, mae;
  for (const RunHistory& run : runs) {
    Series train{run.name, {}, {}}, validation{run.name, {}, {}}, error{run.name, {}, {}};
    for (const json& epoch : run.epochs) {
      const double x = epoch["epoch"].get<double>() + 1;
      const auto value = [&](const char* key) {
        return epoch.contains(key) && epoch[key].is_number() ? epoch[key].get<double>() : std::nan("");
      };
      train.x.push_back(x), train.y.push_back(value("train_loss"));
      validation.x.push_back(x), validation.y.push_back(value("validation_loss"));
      error.x.push_back(x), error.y.push_back(value("mae"));
    }
    if (relative_losses) divide_by_first(train), divide_by_first(validation);
    train_loss.push_back(std::move(train));
    validation_loss.push_back(std::move(validation));
    mae.push_back(std::move(error));
  }
  const std::string loss = relative_losses ? " loss / epoch 1's" : " loss";
  write_image(path, hstack({line_chart("train" + loss, "epoch", train_loss),
                            line_chart("validation" + loss, "epoch", validation_loss),
                            line_chart("validation MAE (years)", "epoch", mae)}));
}

}  // namespace faceage
