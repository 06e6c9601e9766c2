// Compiles the shared precompiled header once (see src/CMakeLists.txt).
