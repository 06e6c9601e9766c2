#pragma once
// The parts of the `faceage` Python module, each adding its names to the module.
#include <pybind11/pybind11.h>

namespace faceage::python {

void bind_predictor(pybind11::module_& module);  // faceage.Predictor
void bind_learning(pybind11::module_& module);   // faceage.train, faceage.evaluate

// The installed module finds the installed models (share/faceage/models of its prefix).
void use_models_installed_beside_module();

}  // namespace faceage::python
