# redline_antlr_generate(TARGET GRAMMAR NAMESPACE): runs Debian's `antlr4` tool
# (4.7.2) on GRAMMAR at build time and builds the generated C++ into the static
# library TARGET against the antlr4 runtime (4.9). Generated sources live in
# the build tree only. They need -fno-char8_t under C++20 (their u8 literals)
# and get no warning flags: the code is not ours.
#
# With clang, the runtime's umbrella header cannot be used as is: Debian's
# 4.9 misc/InterpreterDataReader.h default-constructs a dfa::Vocabulary whose
# default constructor clang (rightly) finds deleted. Nothing of ours uses it,
# so clang builds see a copy of the umbrella header without that include,
# found first on the include path (build tree only).
find_program(ANTLR4_TOOL antlr4 REQUIRED)
find_package(Java COMPONENTS Runtime REQUIRED)

function(redline_antlr_generate target grammar namespace)
  get_filename_component(name ${grammar} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/${name})
  set(sources ${out}/${name}Lexer.cpp ${out}/${name}Parser.cpp ${out}/${name}Visitor.cpp ${out}/${name}BaseVisitor.cpp)
  set(headers ${out}/${name}Lexer.h ${out}/${name}Parser.h ${out}/${name}Visitor.h ${out}/${name}BaseVisitor.h)
  add_custom_command(
    OUTPUT ${sources} ${headers}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -visitor -no-listener -package ${namespace} -o ${out} -Xexact-output-dir ${grammar}
    DEPENDS ${grammar}
    COMMENT "Generating the parser from ${name}.g4"
    VERBATIM)
  set(shadow "")
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(shadow ${CMAKE_CURRENT_BINARY_DIR}/antlr4-clang)
    file(READ ${ANTLR4_INCLUDE_DIR}/antlr4-runtime.h umbrella)
    string(REPLACE "#include \"misc/InterpreterDataReader.h\"" "// misc/InterpreterDataReader.h left out (cmake/Antlr.cmake)" umbrella "${umbrella}")
    file(WRITE ${shadow}/antlr4-runtime.h "${umbrella}")
  endif()
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} SYSTEM PUBLIC $<BUILD_INTERFACE:${out}> $<BUILD_INTERFACE:${shadow}> ${ANTLR4_INCLUDE_DIR})
  target_link_libraries(${target} PUBLIC antlr4_shared)
  target_compile_options(${target} PRIVATE -fno-char8_t -w)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
