#include "faceage/core/thread_wait_policy.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace faceage {
namespace {

bool wait_policy_chosen() {
  return std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr;
}

// This process's arguments as the kernel recorded them (NUL-separated).
std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  std::string::size_type start = 0;
  while (start < text.size()) {
    const auto end = text.find('\0', start);
    arguments.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return arguments;
}

}  // namespace

// Called first in main(): nothing has been read, written or started yet, so replacing the
// process image changes nothing but libgomp's settings.
bool restart_with_sleeping_idle_threads() {
  if (wait_policy_chosen()) return true;
  if (setenv("GOMP_SPINCOUNT", kIdleSpinCount, 0) != 0) return false;
  std::vector<std::string> arguments = own_arguments();
  if (arguments.empty()) return false;
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  return false;  // exec failed (no /proc): go on as started
}


}  // namespace faceage
