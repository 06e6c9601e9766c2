#pragma once
// faceage's version, and the commit a build was made from.
#include <string>

namespace faceage {

inline constexpr const char* kVersion = "0.1.0";

// The commit this build was made from: "1a2b3c4d5e6f", with " + changes" when the tree
// had uncommitted changes. The library does not compile it in (it would relink at every
// commit): cmake/FaceageBuildCommit.cmake stamps the command and the Python module, whose
// generated source sets it before main() or the import runs. "unknown" where unstamped.
void set_build_commit(std::string commit);
const std::string& build_commit();

// "faceage 0.1.0 (commit 1a2b3c4d5e6f)": what `faceage --version` prints, and what a
// model records as "trained_with" in its card.
std::string build_description();

}  // namespace faceage
