# Installs headers, the stage libraries and an exported CMake package so that
# find_package(faceage) + target_link_libraries(app faceage::faceage) just works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/src/faceage" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS faceage ${FACEAGE_STAGES} EXPORT faceageTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT faceageTargets NAMESPACE faceage::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/faceage)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/faceageConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/faceageConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/faceage)
write_basic_package_version_file("${PROJECT_BINARY_DIR}/faceageConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/faceageConfig.cmake"
              "${PROJECT_BINARY_DIR}/faceageConfigVersion.cmake"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/faceage)

# Model files where find_model_file() looks beside an installed binary
# (<prefix>/share/faceage/models): the bundled age model, and the MTCNN weights when
# scripts/fetch-mtcnn-weights.sh has made them.
install(FILES "${PROJECT_SOURCE_DIR}/models/default-age-model.safetensors"
              "${PROJECT_SOURCE_DIR}/models/mtcnn.safetensors"
        DESTINATION ${CMAKE_INSTALL_DATADIR}/faceage/models OPTIONAL)
