# Run at every build (not only at configure): writes the version header with
# the current git revision, touching the file only when the text changes, so
# every output records the revision it was really built from.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE ESUITE_GIT_REV OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT ESUITE_GIT_REV)
  set(ESUITE_GIT_REV "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD -- WORKING_DIRECTORY ${SRC} RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(ESUITE_GIT_REV "${ESUITE_GIT_REV}-dirty")
  endif()
endif()
set(PROJECT_VERSION ${VERSION})
configure_file(${SRC}/cmake/version.h.in ${DST} @ONLY)
