#include "faceage/core/version.h"

#include <utility>

#include <fmt/format.h>

namespace faceage {
namespace {

std::string& commit_storage() {
  static std::string commit = "unknown";
  return commit;
}

}  // namespace

void set_build_commit(std::string commit) { commit_storage() = std::move(commit); }

const std::string& build_commit() { return commit_storage(); }

std::string build_description() {
  return fmt::format("faceage {} (commit {})", kVersion, build_commit());
}

}  // namespace faceage
