# redline_warnings(TARGET): the warning flags our own code builds clean with.
function(redline_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor)
  if(REDLINE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
