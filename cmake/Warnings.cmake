# redline_warnings(TARGET): the warning flags our own code builds clean with
# (gcc, and clang for the fuzzing build; clang spells gcc's -Wshadow=local
# as -Wshadow).
function(redline_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wshadow)
  else()
    target_compile_options(${target} PRIVATE -Wshadow=local)
  endif()
  if(REDLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
