# Run as a script at every build (cmake/FaceageBuildCommit.cmake): writes OUTPUT, a source
# file that hands faceage::set_build_commit() the commit of SOURCE_DIR the binary is built
# from ("1a2b3c4d5e6f", "+ changes" when tracked files differ from it, "unknown" outside
# git) when the program starts, before main() or the module's import runs.
# The file is rewritten only when that text changes, so an unchanged tree relinks nothing.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE failed ERROR_QUIET)
if(failed OR commit STREQUAL "")
  set(commit "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no
                  WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE changes ERROR_QUIET)
  if(NOT changes STREQUAL "")
    string(APPEND commit " + changes")
  endif()
endif()
set(text "// Written by cmake/BuildCommit.cmake at build time.
#include \"faceage/core/version.h\"
namespace {
const bool kBuildCommitSet = (faceage::set_build_commit(\"${commit}\"), true);
}  // namespace
")
set(old "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
