# The Python module (python/, `import faceage`), built with pybind11 when Python's headers
# and pybind11 are found (Debian: python3-dev, pybind11-dev; scripts/install-deps.sh).
option(FACEAGE_BUILD_PYTHON "Build the Python module when Python's headers and pybind11 are found" ON)
set(FACEAGE_PYTHON_FOUND OFF)
if(NOT FACEAGE_BUILD_PYTHON)
  message(STATUS "faceage: Python module off (FACEAGE_BUILD_PYTHON=OFF)")
  return()
endif()
if(FACEAGE_SANITIZE OR FACEAGE_FUZZ)
  # An instrumented module cannot load into an uninstrumented python3.
  message(STATUS "faceage: Python module off in sanitizer and fuzzing builds")
  return()
endif()

# Debian's python3 is the one whose dist-packages the module installs into; a pyenv python3
# may come first on PATH.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python the module is built for")
endif()
find_package(Python3 COMPONENTS Interpreter Development.Module)
if(Python3_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
if(NOT Python3_FOUND)
  message(STATUS "faceage: Python module off: no Python 3 with headers "
                 "(install python3-dev, or set Python3_EXECUTABLE)")
  return()
endif()
if(NOT pybind11_FOUND)
  message(STATUS "faceage: Python module off: pybind11 not found (install pybind11-dev)")
  return()
endif()

set(FACEAGE_PYTHON_FOUND ON)
set(FACEAGE_PYTHON_INSTALL_DIR
    "lib/python${Python3_VERSION_MAJOR}.${Python3_VERSION_MINOR}/dist-packages" CACHE STRING
    "Where `cmake --install` puts the Python module (relative: under the prefix; Debian's python3 has <prefix>/lib/python3.X/dist-packages on sys.path for /usr/local)")
message(STATUS "faceage: Python module for ${Python3_EXECUTABLE} (${Python3_VERSION}), "
               "pybind11 ${pybind11_VERSION}, installed to ${FACEAGE_PYTHON_INSTALL_DIR}")

# The module is a shared library that holds the static stage libraries: their code must be
# position-independent. Every target compiles with -fPIC then, executables too, because
# they all reuse one precompiled header and GCC rejects a header built with other -fpic/-fpie.
add_compile_options(-fPIC)
