# `faceage export --onnx` (src/faceage/onnx): writes models with ONNX's own protobuf classes
# and checker from Debian's libonnx-dev (the libonnx LibTorch itself links), found through
# its CMake config; its targets link protobuf::libprotobuf, so protobuf comes first.
# scripts/install-deps.sh installs both; without them faceage builds, minus ONNX export.
set(FACEAGE_ONNX_FOUND OFF CACHE INTERNAL "")
find_package(Protobuf QUIET)
if(Protobuf_FOUND)
  find_package(ONNX CONFIG QUIET)
endif()
if(NOT TARGET onnx OR NOT TARGET protobuf::libprotobuf)
  message(WARNING "libonnx-dev (or libprotobuf-dev) not found: `faceage export --onnx` is "
                  "left out of this build (scripts/install-deps.sh installs them)")
  return()
endif()
message(STATUS "faceage: ONNX export with ONNX ${ONNX_VERSION}")
set(FACEAGE_ONNX_FOUND ON CACHE INTERNAL "")
