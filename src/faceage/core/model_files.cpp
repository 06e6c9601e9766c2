#include "faceage/core/model_files.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "faceage/core/error.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;

std::string executable_dir() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  return error ? std::string() : exe.parent_path().string();
}

std::mutex installed_folder_mutex;
std::string installed_folder;  // set_installed_models_folder's; "" = none

std::string installed_models_folder() {
  std::lock_guard<std::mutex> lock(installed_folder_mutex);
  return installed_folder;
}

}  // namespace

void set_installed_models_folder(const std::string& folder) {
  std::lock_guard<std::mutex> lock(installed_folder_mutex);
  installed_folder = folder;
}

std::string find_model_file(const ModelFileLookup& lookup, const std::string& explicit_path) {
  if (!explicit_path.empty()) {
    if (!fs::is_regular_file(explicit_path))
      fail("{} file {} does not exist: {}", lookup.description, explicit_path, lookup.how_to_get);
    return explicit_path;
  }
  if (const char* env = std::getenv(lookup.env_var.c_str()); env && *env) {
    if (!fs::is_regular_file(env))
      fail("{} file {} (from {}) does not exist: {}", lookup.description, env, lookup.env_var,
           lookup.how_to_get);
    return env;
  }
  std::vector<fs::path> candidates;
  if (const std::string folder = installed_models_folder(); !folder.empty())
    candidates.push_back(fs::path(folder) / lookup.file_name);
  if (const std::string exe = executable_dir(); !exe.empty())
    candidates.push_back(fs::path(exe) / ".." / "share" / "faceage" / "models" / lookup.file_name);
  // The source tree this library was built from (set by CMake; __FILE__ is not reliable:
  // ccache with a base directory compiles with relative paths).
  candidates.push_back(fs::path(FACEAGE_SOURCE_DIR) / "models" / lookup.file_name);
  std::string tried;
  for (const fs::path& candidate : candidates) {
    const fs::path normal = candidate.lexically_normal();
    if (fs::is_regular_file(normal)) return normal.string();
    tried += (tried.empty() ? "" : ", ") + normal.string();
  }
  fail("{} not found (tried {}): {}", lookup.description, tried, lookup.how_to_get);
}

}  // namespace faceage
