# Read by cpack (CPACK_PROJECT_CONFIG_FILE) after the command line's -D overrides: hands the
# package version to the install step, which writes it into the Debian changelog.
if(CPACK_GENERATOR STREQUAL "DEB")
  if(CPACK_DEBIAN_PACKAGE_VERSION)
    set(ow_upstream "${CPACK_DEBIAN_PACKAGE_VERSION}")
  else()
    set(ow_upstream "${CPACK_PACKAGE_VERSION}")
  endif()
  if(CPACK_DEBIAN_PACKAGE_RELEASE)
    set(ENV{OW_DEB_VERSION} "${ow_upstream}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
  else()
    set(ENV{OW_DEB_VERSION} "${ow_upstream}")
  endif()
endif()
