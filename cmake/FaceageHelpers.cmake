# faceage_stage_library(NAME DEPS ...): one static library per folder of src/faceage.
# Every stage is its own target so a stage builds and tests on its own.
set(FACEAGE_STAGES "" CACHE INTERNAL "")

function(faceage_stage_library name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/faceage/${name}/*.cpp")
  if(NOT sources)
    return()  # a stage without code yet
  endif()
  set(deps "")
  foreach(dep IN LISTS ARG_DEPS)
    if(NOT dep MATCHES "^faceage::" OR TARGET ${dep})
      list(APPEND deps ${dep})
    endif()
  endforeach()
  set(target faceage_${name})
  add_library(${target} STATIC ${sources})
  add_library(faceage::${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(${target} PUBLIC ${deps})
  target_compile_options(${target} PUBLIC ${FACEAGE_TORCH_FLAGS})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  if(TARGET OpenMP::OpenMP_CXX)
    target_link_libraries(${target} PUBLIC OpenMP::OpenMP_CXX)
  endif()
  faceage_use_pch(${target})
  set(FACEAGE_STAGES ${FACEAGE_STAGES} ${target} CACHE INTERNAL "")
endfunction()

# The LibTorch headers dominate compile time; every target shares one precompiled header.
function(faceage_use_pch target)
  if(NOT FACEAGE_USE_PCH)
    return()
  endif()
  target_precompile_headers(${target} REUSE_FROM faceage_pch)
endfunction()

# The sources a training configuration needs when compiled on its own, without the stage
# libraries (learn/train_config.cpp and what it calls): the sanitizer build of the input
# tests (tests/input_tests.cmake) and the fuzz target fuzz_train_config compile this list,
# so a new dependency of the configuration is added once, here.
set(FACEAGE_TRAIN_CONFIG_SOURCES
    ${PROJECT_SOURCE_DIR}/src/faceage/learn/train_config.cpp
    ${PROJECT_SOURCE_DIR}/src/faceage/data/augmentation.cpp
    ${PROJECT_SOURCE_DIR}/src/faceage/model/preprocessing.cpp
    ${PROJECT_SOURCE_DIR}/src/faceage/nn/input_requirements.cpp)
