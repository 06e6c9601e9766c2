# Every dependency comes from Debian's packages (scripts/install-deps.sh) or, for
# LibTorch, from any LibTorch install found through CMAKE_PREFIX_PATH (e.g. a CUDA build).
find_package(Torch REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs videoio)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(Threads REQUIRED)
# LibTorch runs its threads with OpenMP (ATen/Config.h: AT_PARALLEL_OPENMP), and ATen's
# inline at::parallel_for is parallel only in code compiled with OpenMP: without it,
# faceage's own kernels (MTCNN's PReLU, max pooling and crops) ran on one thread.
find_package(OpenMP)
# cpp-httplib (`faceage serve`): Debian's libcpp-httplib-dev ships a compiled library with a
# pkg-config file and no CMake config. Its Cflags (-DCPPHTTPLIB_OPENSSL_SUPPORT ...) change
# class layouts, so every user of httplib.h must take them: the imported target carries them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)
# ONNX export: optional (found here, at the top, so its imported targets reach the tests).
include(FaceageOnnx)

# LibTorch's CMake config puts its flags in TORCH_CXX_FLAGS (e.g. the C++11 ABI switch).
separate_arguments(FACEAGE_TORCH_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")
