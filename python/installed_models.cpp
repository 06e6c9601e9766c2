// Where the installed module finds the bundled models: /usr/bin/python3 is the process's
// executable, so the lookup beside the executable (core/model_files.h) cannot find
// <prefix>/share/faceage/models; the module knows its own place under the prefix.
#include <dlfcn.h>

#include <filesystem>

#include "bindings.h"
#include "faceage/core/model_files.h"

namespace faceage::python {

void use_models_installed_beside_module() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&use_models_installed_beside_module), &info) == 0 ||
      info.dli_fname == nullptr)
    return;
  const std::filesystem::path module_folder = std::filesystem::path(info.dli_fname).parent_path();
  // FACEAGE_MODELS_FROM_MODULE (python/CMakeLists.txt): relative to the module's folder, or
  // absolute. A module run from the build tree finds none there, and the lookup goes on to
  // models/ of the source tree.
  const std::filesystem::path folder =
      (module_folder / FACEAGE_MODELS_FROM_MODULE).lexically_normal();
  if (std::filesystem::is_directory(folder)) set_installed_models_folder(folder.string());
}

}  // namespace faceage::python
