# The PC/SC card monitor: readers, card presence, ATR, reader hot-plug (libpcsclite). Presence only:
# keys and PINs go through PKCS#11 (signing/), never through this code. libpcsclite is loaded when
# the first monitor connects (src/card_monitor.cpp): only its headers here.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCSCLITE REQUIRED libpcsclite)
target_sources(ow_devices PRIVATE ${CMAKE_CURRENT_LIST_DIR}/src/card_monitor.cpp)
target_include_directories(ow_devices SYSTEM PRIVATE ${PCSCLITE_INCLUDE_DIRS})
target_link_libraries(ow_devices PRIVATE ${CMAKE_DL_LIBS})
target_compile_definitions(ow_devices PRIVATE OW_PCSCLITE_VERSION="${PCSCLITE_VERSION}")
