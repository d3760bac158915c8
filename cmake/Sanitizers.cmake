# With REDLINE_SANITIZE=ON every target is built with ASan + UBSan (and LSan, part of ASan).
if(REDLINE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
