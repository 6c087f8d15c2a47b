# Scanning: SANE devices, the leptonica page pipeline (libtiff for the G4 strip), tesseract OCR and the
# scan PDF (PoDoFo 0.9.8, as in signing/). Included by devices/CMakeLists.txt.
pkg_check_modules(OW_SANE REQUIRED IMPORTED_TARGET sane-backends)
pkg_check_modules(OW_LEPTONICA REQUIRED IMPORTED_TARGET lept)
pkg_check_modules(OW_TESSERACT REQUIRED IMPORTED_TARGET tesseract)
pkg_check_modules(OW_TIFF REQUIRED IMPORTED_TARGET libtiff-4)
if(NOT TARGET PkgConfig::PODOFO)
  pkg_check_modules(PODOFO REQUIRED IMPORTED_TARGET libpodofo)
endif()
find_package(JPEG REQUIRED)

target_sources(ow_devices PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/sane_scanner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/page_pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/ocr.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/scan_document.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/scan_versions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/dynlib.cpp)
# SANE, leptonica and tesseract are loaded on first use (src/dynlib.h): only their headers here.
target_include_directories(ow_devices SYSTEM PRIVATE ${OW_SANE_INCLUDE_DIRS}
                           ${OW_LEPTONICA_INCLUDE_DIRS} ${OW_TESSERACT_INCLUDE_DIRS})
target_link_libraries(ow_devices PRIVATE PkgConfig::OW_TIFF PkgConfig::PODOFO JPEG::JPEG
                      ${CMAKE_DL_LIBS})
set_target_properties(ow_devices PROPERTIES POSITION_INDEPENDENT_CODE ON)
