# Installs the libraries, the public headers, the CLI, the stdlib, a CMake
# package and a pkg-config file:
#   - C++ applications: find_package(redline), target redline::redline (the
#     static C++ library, libredline.a, with the headers of redline/*.h);
#   - everyone else: the C API of redline/redline.h in the shared library
#     libredline.so.0 (exports only rl_*), as redline::redline_c in CMake and
#     `pkg-config --cflags --libs redline`.
# Nothing installed names the source tree: the stdlib is found relative to the
# installed binaries (<prefix>/share/redline/stdlib; docs/embedding.md).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS redline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS redline_core redline_grammar redline_c EXPORT redlineTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/engine/include/redline DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/stdlib DESTINATION ${CMAKE_INSTALL_DATADIR}/redline)
install(EXPORT redlineTargets NAMESPACE redline:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/redlineConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/redlineConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/redlineConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/redlineConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/redlineConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/redline)
# pkg-config: the C API. Its prefix is found from the file's own folder, so
# the installed tree stays relocatable.
file(RELATIVE_PATH REDLINE_PC_TO_PREFIX ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" REDLINE_PC_TO_PREFIX "${REDLINE_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/redline.pc.in ${CMAKE_CURRENT_BINARY_DIR}/redline.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/redline.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
