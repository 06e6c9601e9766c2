# faceage's fused oneDNN chains (src/faceage/nn/onednn_trunk.h for the ResNet family,
# face/mtcnn_chain.h for MTCNN) call oneDNN's own C++ API: the same libdnnl LibTorch runs
# on, with Debian's headers (libdnnl-dev). oneDNN's CMake config insists on OpenCL
# headers, so the library is found directly. Without it (or with FACEAGE_WITH_ONEDNN=OFF)
# the chains report themselves unavailable and LibTorch's own operators run instead.
option(FACEAGE_WITH_ONEDNN "Build the fused oneDNN inference chain when libdnnl-dev is found" ON)
set(FACEAGE_ONEDNN_FOUND OFF CACHE INTERNAL "")
if(NOT FACEAGE_WITH_ONEDNN)
  return()
endif()

find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY dnnl)
if(NOT DNNL_INCLUDE_DIR OR NOT DNNL_LIBRARY)
  message(STATUS "oneDNN headers not found (libdnnl-dev): the fused inference chain is off")
  return()
endif()
# The chain is written against oneDNN 2's operation descriptors (oneDNN 3 dropped them).
file(STRINGS "${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" dnnl_major
     REGEX "#define DNNL_VERSION_MAJOR")
if(NOT dnnl_major MATCHES "DNNL_VERSION_MAJOR 2$")
  message(STATUS "oneDNN is not version 2 (${dnnl_major}): the fused inference chain is off")
  return()
endif()

message(STATUS "oneDNN ${DNNL_LIBRARY}: the fused inference chain is on")
set(FACEAGE_ONEDNN_FOUND ON CACHE INTERNAL "")
target_include_directories(faceage_nn PUBLIC $<BUILD_INTERFACE:${DNNL_INCLUDE_DIR}>)
target_link_libraries(faceage_nn PUBLIC ${DNNL_LIBRARY})
set_property(SOURCE faceage/nn/onednn_program.cpp faceage/nn/onednn_trunk.cpp
             faceage/face/mtcnn_chain.cpp APPEND PROPERTY COMPILE_DEFINITIONS FACEAGE_WITH_ONEDNN)
