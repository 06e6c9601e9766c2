# Data-parallel training (src/faceage/parallel) uses LibTorch's c10d: ProcessGroupGloo on CPU,
# ProcessGroupNCCL on CUDA. Their headers come with Debian's libtorch-dev (plus
# libgloo-dev) but not with every LibTorch; without them faceage still builds, and
# `train --nproc` says data-parallel training is not available.
include(CheckCXXSourceCompiles)
set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})
set(CMAKE_REQUIRED_FLAGS "-std=c++17")
set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_GLOO -DUSE_DISTRIBUTED)
set(CMAKE_REQUIRED_QUIET ON)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compile only: the headers are the question
check_cxx_source_compiles([[
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
int main() { return sizeof(c10d::ProcessGroupGloo::Options) > 0 ? 0 : 1; }
]] FACEAGE_HAVE_C10D_GLOO)
set(nccl_defines "")
if(FACEAGE_HAVE_C10D_GLOO AND TORCH_CUDA_LIBRARIES)
  set(CMAKE_REQUIRED_DEFINITIONS -DUSE_C10D_GLOO -DUSE_DISTRIBUTED -DUSE_C10D_NCCL)
  check_cxx_source_compiles([[
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
int main() { return sizeof(c10d::ProcessGroupNCCL::Options) > 0 ? 0 : 1; }
]] FACEAGE_HAVE_C10D_NCCL)
  if(FACEAGE_HAVE_C10D_NCCL)
    set(nccl_defines USE_C10D_NCCL FACEAGE_WITH_NCCL=1)
  endif()
endif()
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_DEFINITIONS)
unset(CMAKE_REQUIRED_QUIET)
unset(CMAKE_TRY_COMPILE_TARGET_TYPE)

if(FACEAGE_HAVE_C10D_GLOO)
  # Only communicator.cpp includes c10d; the macros gate the headers' contents.
  set_source_files_properties(faceage/parallel/communicator.cpp PROPERTIES COMPILE_DEFINITIONS
    "USE_C10D_GLOO;USE_DISTRIBUTED;FACEAGE_WITH_C10D=1;${nccl_defines}")
  message(STATUS "faceage: data-parallel training with c10d (NCCL: ${FACEAGE_HAVE_C10D_NCCL})")
else()
  message(STATUS "faceage: LibTorch without c10d Gloo headers: no data-parallel training")
endif()
