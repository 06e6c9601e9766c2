// `import faceage`: age estimation from face photos, and the training and evaluation of age
// estimators, for Python (docs/python.md). Every call releases the GIL while C++ works.
#include <pybind11/pybind11.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "bindings.h"
#include "faceage/core/error.h"
#include "faceage/core/version.h"

namespace py = pybind11;

PYBIND11_MODULE(faceage, module) {
  module.doc() =
      "faceage: ages from face photos (Predictor), training (train) and evaluation (evaluate).";
  module.attr("__version__") = faceage::kVersion;
  // "faceage 0.1.0 (commit 1a2b3c4d5e6f)", as `faceage --version` prints it.
  module.attr("build") = faceage::build_description();
  // faceage's errors (a missing file, a bad setting) keep their one-line message.
  py::register_exception<faceage::Error>(module, "Error", PyExc_RuntimeError);
  // Logs go to stderr, as the command's: stdout is the program's own.
  if (!spdlog::get("faceage")) spdlog::set_default_logger(spdlog::stderr_color_mt("faceage"));
  faceage::python::use_models_installed_beside_module();
  faceage::python::bind_predictor(module);
  faceage::python::bind_learning(module);
}
