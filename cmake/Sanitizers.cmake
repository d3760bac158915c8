# With REDLINE_SANITIZE=ON every target is built with ASan + UBSan (and LSan, part of ASan).
# With REDLINE_FUZZ=ON (clang only) the sanitizers are on too, and every
# target is also instrumented for libFuzzer's coverage feedback
# (-fsanitize=fuzzer-no-link), so the fuzz targets in fuzz/ link into the same
# build as the sanitized test suite instead of needing a build of their own.
if(REDLINE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "REDLINE_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(REDLINE_SANITIZE ON CACHE BOOL "build with AddressSanitizer + UndefinedBehaviorSanitizer" FORCE)
endif()
if(REDLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(REDLINE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
