# faceage_input_tests: the tests of the code that reads outside input (images, label
# files, safetensors, configurations) in one executable that compiles just that code
# instead of linking every stage library. scripts/test-sanitize.sh builds it under
# ASan + UBSan, where a full build (LibTorch-heavy stages) would take far longer than CI
# allows. The same tests run in the stage executables of the ordinary build.
set(src ${PROJECT_SOURCE_DIR}/src/faceage)
add_executable(faceage_input_tests
  io/atomic_file_test.cpp io/image_corpus_test.cpp io/image_header_test.cpp
  io/image_test.cpp io/safetensors_test.cpp
  data/sample_csv_test.cpp data/utkface_reader_test.cpp data/morph_reader_test.cpp
  data/fgnet_reader_test.cpp data/megaage_reader_test.cpp
  learn/train_config_test.cpp
  support/test_support.cpp
  ${src}/data/csv_fields.cpp ${src}/data/label_parsing.cpp ${src}/data/read_report.cpp
  ${src}/data/sample_csv.cpp ${src}/data/utkface_reader.cpp ${src}/data/morph_reader.cpp
  ${src}/data/fgnet_reader.cpp ${src}/data/megaage_reader.cpp ${src}/data/split.cpp
  ${FACEAGE_TRAIN_CONFIG_SOURCES})
target_include_directories(faceage_input_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support)
# faceage::io brings core and io (image decoding, safetensors, atomic files) only.
target_link_libraries(faceage_input_tests PRIVATE faceage::io tomlplusplus::tomlplusplus
                      GTest::gtest GTest::gtest_main)
# The data paths reach support/test_support.cpp alone (tests/CMakeLists.txt), so the other
# objects are the same in any checkout and ccache reuses them.
faceage_use_pch(faceage_input_tests)
