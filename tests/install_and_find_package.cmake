# Run by ctest (see tests/CMakeLists.txt).
set(prefix "${BINARY_DIR}/install-test/prefix")
set(consumer "${BINARY_DIR}/install-test/consumer")
file(REMOVE_RECURSE "${BINARY_DIR}/install-test")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples/estimate_age" -B "${consumer}" -G Ninja
    -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}")
run(${CMAKE_COMMAND} --build "${consumer}")

# A tiny model trained by the installed command, then real faces through the consumer.
run("${prefix}/bin/faceage" train "--set=data.path=${DATA_DIR}/utkface" --set=data.max_samples=64
    --set=train.epochs=1 --set=model.input_size=64 --set=train.batch_size=32
    "--output=${BINARY_DIR}/install-test/run")
file(GLOB faces "${DATA_DIR}/utkface/25_*.jpg")
list(SUBLIST faces 0 2 faces)
run("${consumer}/estimate_age" "${BINARY_DIR}/install-test/run/last.safetensors" ${faces})
string(REGEX MATCHALL "\t[0-9.]+" ages "${last_output}")
list(LENGTH ages count)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "expected two ages from estimate_age, got:\n${last_output}")
endif()
message(STATUS "estimate_age printed: ${last_output}")
