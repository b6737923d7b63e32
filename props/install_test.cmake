# Installs the swiss project (configured fresh from SOURCE_DIR with the test
# suite off) into WORK_DIR/prefix, then configures, builds and runs the
# consumer project in CONSUMER_DIR against that prefix only.
# Run by ctest (test install_find_package); also by hand:
#   cmake -DSOURCE_DIR=. -DCONSUMER_DIR=props/install_consumer \
#         -DWORK_DIR=/tmp/swiss-install -P props/install_test.cmake
foreach(var SOURCE_DIR CONSUMER_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED GENERATOR OR GENERATOR STREQUAL "")
  set(GENERATOR "Ninja")
endif()
set(compiler_args)
if(DEFINED CXX_COMPILER AND NOT CXX_COMPILER STREQUAL "")
  set(compiler_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()

function(run_step what)
  message(STATUS "install test: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${what} failed (${rc})\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

run_step("configure the project without tests"
  ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/project -G ${GENERATOR} ${compiler_args}
  -DSWISS_BUILD_TESTS=OFF -DSWISS_BUILD_FUZZ=OFF -DSWISS_BUILD_BENCH=OFF)
run_step("install into ${prefix}"
  ${CMAKE_COMMAND} --install ${WORK_DIR}/project --prefix ${prefix})
foreach(f include/swiss/map.h include/swiss/test_access.h)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install test: ${prefix}/${f} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE config_files ${prefix}/*/swissConfig.cmake)
if(NOT config_files)
  message(FATAL_ERROR "install test: no swissConfig.cmake under ${prefix}")
endif()

# The consumer sees only the prefix: no path into the source tree.
run_step("configure the consumer with find_package(swiss)"
  ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR} ${compiler_args}
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DEXPECTED_PREFIX=${prefix})
run_step("build the consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run_step("run the consumer" ${WORK_DIR}/consumer/swiss_consumer)
message(STATUS "install test: consumer says: ${step_output}")
message(STATUS "install test: passed (installed to ${prefix}, consumer built and ran)")
