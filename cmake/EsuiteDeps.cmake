# Locate every external dependency. A missing one stops configure with the
# exact Debian command that installs it, so a fresh machine is one step away.
find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found. Install it with:\n  sudo apt-get install -y pkgconf")
endif()

function(esuite_require_pkg target module debpkg)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "Dependency '${module}' not found. Install it with:\n  sudo apt-get install -y ${debpkg}")
  endif()
endfunction()

esuite_require_pkg(ES_GSL     gsl          libgsl-dev)
esuite_require_pkg(ES_HDF5    hdf5         libhdf5-dev)
esuite_require_pkg(ES_NETCDF  netcdf       libnetcdf-dev)
esuite_require_pkg(ES_INIH    inih         libinih-dev)
esuite_require_pkg(ES_JANSSON jansson      libjansson-dev)
if(ESUITE_BUILD_TESTS)
  esuite_require_pkg(ES_CMOCKA cmocka      libcmocka-dev)
endif()

find_package(OpenMP QUIET COMPONENTS C)
if(NOT OpenMP_C_FOUND)
  message(FATAL_ERROR "OpenMP for C not found. Install it with:\n  sudo apt-get install -y libgomp1 gcc")
endif()

find_program(ESUITE_GNUPLOT gnuplot)
if(NOT ESUITE_GNUPLOT)
  message(WARNING "gnuplot not found: figures (--plot) will be unavailable. Install it with:\n  sudo apt-get install -y gnuplot-nox")
endif()
