# Test helpers shared by every tests/ folder.
#
# ow_add_unit_test(<module> SOURCES ... LIBS ...)
#   One Boost.Test module per library (KiCad's layout): builds `unit_<module>` and registers it with
#   CTest under the label `unit`.
find_package(Boost REQUIRED COMPONENTS unit_test_framework)

function(ow_add_unit_test module)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT" ${ARGN})
  set(target unit_${module})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} Boost::unit_test_framework)
  target_compile_definitions(${target} PRIVATE BOOST_TEST_DYN_LINK
                             OW_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${target} COMMAND ${target} --log_level=test_suite --report_level=short)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # Under ASan: the shared suppressions of third-party caches (tests/lsan.supp).
  list(APPEND ARG_ENVIRONMENT
       "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0")
  set_tests_properties(${target} PROPERTIES LABELS "unit;${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "${ARG_ENVIRONMENT}")
endfunction()
