# Installs the library, the public headers, the CLI and a CMake package so
# applications can `find_package(redline)` and link `redline::redline`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS redline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS redline_core redline_grammar EXPORT redlineTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/engine/include/redline DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/stdlib DESTINATION ${CMAKE_INSTALL_DATADIR}/redline)
install(EXPORT redlineTargets NAMESPACE redline:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/redlineConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/redlineConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/redlineConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/redlineConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/redlineConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
