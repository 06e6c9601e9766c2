# Stamps an executable or module with the commit it is built from, which reaches
# core/version.h's build_commit() (`faceage --version`, `faceage.build` in Python, and the
# "trained_with" of every model a run trains). cmake/BuildCommit.cmake runs at every build
# and rewrites one generated source only when the commit text changes; that source's
# static initializer hands the text to the library. The libraries never compile it in, so
# a commit relinks no library and no test.
set(FACEAGE_BUILD_COMMIT_SOURCE "${CMAKE_BINARY_DIR}/generated/build_commit.cpp")
add_custom_target(faceage_build_commit
  COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${PROJECT_SOURCE_DIR}"
          "-DOUTPUT=${FACEAGE_BUILD_COMMIT_SOURCE}"
          -P "${PROJECT_SOURCE_DIR}/cmake/BuildCommit.cmake"
  BYPRODUCTS "${FACEAGE_BUILD_COMMIT_SOURCE}" VERBATIM)

function(faceage_stamp_build_commit target)
  target_sources(${target} PRIVATE "${FACEAGE_BUILD_COMMIT_SOURCE}")
  add_dependencies(${target} faceage_build_commit)
endfunction()
