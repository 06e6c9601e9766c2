// faceage.train and faceage.evaluate: the library functions `faceage train` and
// `faceage eval` run (learn/training_run.h, learn/model_evaluation.h).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bindings.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/core/memory_reuse.h"
#include "faceage/learn/model_evaluation.h"
#include "faceage/learn/train_config.h"
#include "faceage/learn/training_run.h"
#include "json_to_python.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace faceage::python {
namespace {

// A path (str or os.PathLike) as text; ValueError naming `what` for anything else.
std::string path_text(const py::handle& value, const char* what) {
  try {
    return py::str(py::module_::import("os").attr("fspath")(value));
  } catch (const py::error_already_set&) {
    throw py::value_error(std::string(what) + ": expected a path (str or os.PathLike), got " +
                          std::string(py::str(py::type::of(value).attr("__name__"))));
  }
}

// None, one path, or a list of paths.
std::vector<std::string> path_list(const py::handle& value, const char* what) {
  if (value.is_none()) return {};
  if (py::isinstance<py::str>(value) || py::hasattr(value, "__fspath__"))
    return {path_text(value, what)};
  std::vector<std::string> paths;
  for (const py::handle item : py::iter(value)) paths.push_back(path_text(item, what));
  return paths;
}

// A setting's value as `--set` takes it: true/false for bools, paths as text.
std::string setting_text(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(value) || py::hasattr(value, "__fspath__"))
    return path_text(value, "overrides");
  return py::str(value);
}

// {"train.epochs": 2, ...} or ["train.epochs=2", ...]: `faceage train --set` assignments.
std::vector<std::string> override_assignments(const py::handle& overrides) {
  std::vector<std::string> assignments;
  if (overrides.is_none()) return assignments;
  if (py::isinstance<py::dict>(overrides)) {
    for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(overrides))
      assignments.push_back(std::string(py::str(key)) + "=" + setting_text(value));
    return assignments;
  }
  if (py::isinstance<py::str>(overrides))
    throw py::value_error("overrides: expected a dict {'section.key': value} or a list of "
                          "'section.key=value' strings, got one string");
  for (const py::handle item : py::iter(overrides)) assignments.push_back(py::str(item));
  return assignments;
}

// metrics.jsonl of a run: one JSON object per trained epoch, resumed runs included.
std::vector<nlohmann::json> epoch_history(const std::string& output_dir) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(metrics_path(output_dir));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// The trainer catches Ctrl-C and SIGTERM while it runs and then puts back the handlers with
// std::signal, which drops the flags of Python's own (no SA_RESTART, so a blocking call
// returns to run Python's handler); these are restored exactly.
class PythonSignalHandlers {
 public:
  PythonSignalHandlers() {
    sigaction(SIGINT, nullptr, &interrupt_);
    sigaction(SIGTERM, nullptr, &terminate_);
  }
  ~PythonSignalHandlers() {
    sigaction(SIGINT, &interrupt_, nullptr);
    sigaction(SIGTERM, &terminate_, nullptr);
  }

 private:
  struct sigaction interrupt_ {}, terminate_ {};
};

py::object existing_file(const std::string& path) {
  if (!fs::is_regular_file(path)) return py::none();
  return py::str(fs::absolute(path).lexically_normal().string());
}

py::dict train(const py::object& config, const py::object& overrides, const py::object& output_dir) {
  std::vector<std::string> assignments = override_assignments(overrides);
  if (!output_dir.is_none())
    assignments.push_back("train.output_dir=" + path_text(output_dir, "output_dir"));
  const std::string config_path = config.is_none() ? "" : path_text(config, "config");
  TrainConfig resolved;
  TrainingResult result;
  {
    const PythonSignalHandlers keep_handlers;
    py::gil_scoped_release release;
    keep_freed_memory_for_reuse();  // as the `faceage` command does (core/memory_reuse.h)
    resolved = load_train_config(config_path, assignments);
    result = run_training(resolved);
  }
  if (result.interrupted) {
    PyErr_SetString(PyExc_KeyboardInterrupt,
                    ("training stopped; the last checkpoint " + result.last_checkpoint +
                     " resumes it when train is called again")
                        .c_str());
    throw py::error_already_set();
  }
  const std::vector<nlohmann::json> history = epoch_history(resolved.output_dir);
  nlohmann::json best, final_epoch;
  for (const nlohmann::json& epoch : history)
    if (epoch.value("best", false)) best = epoch;
  if (!history.empty()) final_epoch = history.back();

  py::dict out;
  out["run_dir"] = fs::absolute(resolved.output_dir).lexically_normal().string();
  out["best_model"] = existing_file(result.best_checkpoint);
  out["last_model"] = existing_file(result.last_checkpoint);
  out["epochs_trained"] = result.history.size();  // by this call (a resumed run trains the rest)
  out["best"] = to_python(best);
  out["final"] = to_python(final_epoch);
  out["history"] = to_python(nlohmann::json(history));
  out["config"] = to_python(to_json(resolved));
  return out;
}

py::object evaluate(const py::object& model, const py::object& data, const py::object& format,
                  const py::object& config, const std::string& part, const py::object& overrides,
                  int batch_size, int threads, std::optional<bool> flip_average,
                  const std::string& inference, const std::string& precision, int torch_threads,
                  const py::object& out, size_t worst) {
  EvaluationRequest request;
  request.model_path = path_text(model, "model");
  request.data_paths = path_list(data, "data");
  request.formats = format.is_none()                ? std::vector<std::string>{}
                    : py::isinstance<py::str>(format) ? std::vector<std::string>{py::str(format)}
                                                    : format.cast<std::vector<std::string>>();
  request.config_path = config.is_none() ? "" : path_text(config, "config");
  if (request.data_paths.empty() == request.config_path.empty())
    throw py::value_error("evaluate: give data (a dataset path or a list of them) or config "
                          "(a training configuration), not both");
  if (part != "validation" && part != "test")
    throw py::value_error("part: expected 'validation' or 'test', got '" + part + "'");
  if (batch_size < 1) throw py::value_error("batch_size: expected 1 or more");
  if (threads < 0) throw py::value_error("threads: expected 0 or more loader threads");
  request.part = part;
  request.overrides = override_assignments(overrides);
  request.batch_size = batch_size;
  request.loader_threads = threads;
  request.flip_average = flip_average;
  request.inference = inference;
  request.precision = precision;
  const std::string out_dir = out.is_none() ? "" : path_text(out, "out");

  ModelEvaluation evaluation;
  {
    py::gil_scoped_release release;
    keep_freed_memory_for_reuse();
    use_compute_threads(torch_threads);
    evaluation = evaluate_model(request);
    if (!out_dir.empty()) write_evaluation_files(out_dir, evaluation, worst);
  }
  for (const std::string& warning : evaluation.warnings)
    if (PyErr_WarnEx(PyExc_UserWarning, warning.c_str(), 1) != 0) throw py::error_already_set();
  return to_python(evaluation.report);
}

}  // namespace

void bind_learning(py::module_& module) {
  module.def("train", &train, py::arg("config") = py::none(), py::arg("overrides") = py::none(),
             py::kw_only(), py::arg("output_dir") = py::none(),
             R"(Train an age estimator as `faceage train --config CONFIG --set k=v ... --out DIR`.

config: a TOML configuration (configs/); None gives the defaults. overrides: a dict
{"train.epochs": 10, ...} or a list of "train.epochs=10" strings. output_dir: the run
folder (train.output_dir). Calling it again with the same run folder resumes the run.
Returns a dict: run_dir, best_model and last_model (paths, None if not written),
epochs_trained (by this call), best and final (metrics of the best and the last epoch:
mae, ca3, ca5, ca7, losses, ...), history (every epoch of the run) and config (resolved).
Ctrl-C stops after the current batch, keeps the last checkpoint and raises
KeyboardInterrupt.)");
  module.def("evaluate", &evaluate, py::arg("model"), py::arg("data") = py::none(),
             py::kw_only(), py::arg("format") = py::none(), py::arg("config") = py::none(),
             py::arg("part") = "validation", py::arg("overrides") = py::none(),
             py::arg("batch_size") = 32, py::arg("threads") = 2,
             py::arg("flip_average") = py::none(), py::arg("inference") = "auto",
             py::arg("precision") = "auto", py::arg("torch_threads") = 0,
             py::arg("out") = py::none(), py::arg("worst") = 50,
             R"(Evaluate a model on labelled data; returns what `faceage eval --json` prints.

model: a model file. data: a dataset (CSV or folder) or a list of them (a report per
set under "sets"); or config: a training configuration whose sets' `part` ("validation"
or "test") is evaluated, split as training splits them (with overrides as in train).
format: "auto", "csv", "utkface", "megaage", "morph", "fgnet", one for all or a list.
threads: loader threads; torch_threads: LibTorch threads (0: every usable CPU).
out: a folder for confusion.png, worst.csv (the `worst` largest errors) and report.json.
A warning (UserWarning) says when evaluated images were the model's training images.)");
}

}  // namespace faceage::python
