#pragma once
// Where model files are looked for: an explicit path, then an environment variable, then
// the installed models folder a program named (set_installed_models_folder), then
// share/faceage/models/ beside an installed faceage binary, then models/ of the source tree.
#include <string>

namespace faceage {

struct ModelFileLookup {
  std::string file_name;    // e.g. "mtcnn.safetensors"
  std::string env_var;      // e.g. "FACEAGE_MTCNN_WEIGHTS"
  std::string description;  // e.g. "MTCNN weights", for messages
  std::string how_to_get;   // what the user can do when it is missing
};

// The first existing candidate; throws faceage::Error listing what was tried.
std::string find_model_file(const ModelFileLookup& lookup, const std::string& explicit_path = "");

// For programs installed elsewhere than <prefix>/bin, whose executable says nothing about
// where faceage's models are: the Python module (in <prefix>/lib/python3.X/dist-packages,
// run by /usr/bin/python3) names <prefix>/share/faceage/models here. Process-wide.
void set_installed_models_folder(const std::string& folder);

}  // namespace faceage
