#pragma once
// nlohmann::json to the Python objects json.loads would give (dict, list, str, int, float,
// bool, None): the module returns what `faceage predict` and `faceage eval --json` print.
#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace faceage::python {

pybind11::object to_python(const nlohmann::json& value);

}  // namespace faceage::python
