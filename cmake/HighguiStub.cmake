# Debian's libtorch_cpu.so has a DT_NEEDED on libopencv_highgui.so.406 (which pulls in Qt 5) but
# uses none of its symbols. An empty library with that SONAME, linked first into the executable,
# satisfies the request, so Qt 5 never enters a Qt 6 process.
function(protolabel_add_highgui_stub)
  if(TARGET protolabel_highgui_stub)
    return()
  endif()
  file(WRITE ${CMAKE_BINARY_DIR}/highgui_stub.c
       "/* Intentionally empty: stands in for libopencv_highgui.so.406 (see cmake/HighguiStub.cmake). */\n"
       "int protolabel_highgui_stub_marker(void) { return 0; }\n")
  add_library(protolabel_highgui_stub SHARED ${CMAKE_BINARY_DIR}/highgui_stub.c)
  set_target_properties(protolabel_highgui_stub PROPERTIES
    # The file must carry the requested name too: the loader looks it up by name in RUNPATH.
    OUTPUT_NAME opencv_highgui
    SUFFIX ".so.406"
    NO_SONAME ON
    LINK_FLAGS "-Wl,-soname,libopencv_highgui.so.406"
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/privatelib)
  install(TARGETS protolabel_highgui_stub LIBRARY DESTINATION ${PROTOLABEL_PRIVATE_LIBDIR})
endfunction()

# Links the stub ahead of everything else, and lets the executable find it in the build tree and,
# once installed, in the private library folder.
function(protolabel_use_highgui_stub target)
  protolabel_add_highgui_stub()
  target_link_options(${target} PRIVATE
    "LINKER:--no-as-needed" "$<TARGET_FILE:protolabel_highgui_stub>" "LINKER:--as-needed"
    "LINKER:--enable-new-dtags")
  add_dependencies(${target} protolabel_highgui_stub)
  file(RELATIVE_PATH rel "/${CMAKE_INSTALL_BINDIR}" "/${PROTOLABEL_PRIVATE_LIBDIR}")
  set_target_properties(${target} PROPERTIES
    BUILD_RPATH "${CMAKE_BINARY_DIR}/privatelib"
    INSTALL_RPATH "\$ORIGIN/${rel}")
endfunction()
