# Run by ctest (tests/CMakeLists.txt): `cmake --install` to a temporary prefix, then
# `import faceage` from <prefix>/MODULE_DIR must load that module, find the models installed
# under <prefix>/share/faceage/models (not the source tree's) and predict.
set(prefix "${BINARY_DIR}/install-python-test/prefix")
file(REMOVE_RECURSE "${BINARY_DIR}/install-python-test")

execute_process(COMMAND ${CMAKE_COMMAND} --install "${BINARY_DIR}" --prefix "${prefix}"
                RESULT_VARIABLE code OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${code}):\n${err}")
endif()

if(IS_ABSOLUTE "${MODULE_DIR}")
  message(FATAL_ERROR "FACEAGE_PYTHON_INSTALL_DIR=${MODULE_DIR} is absolute: not under the test's prefix")
endif()
set(check [=[
import sys, faceage
prefix = sys.argv[1]
assert faceage.__file__.startswith(prefix), f"imported {faceage.__file__}, not the installed module"
predictor = faceage.Predictor(threads=1)
assert predictor.model_path.startswith(prefix), f"model {predictor.model_path} is not the installed one"
faces = predictor.predict_file(sys.argv[2])
assert len(faces) >= 1 and 0 < faces[0]["age"] < 100, faces
print(f"installed module {faceage.__file__}: age {faces[0]['age']} with {predictor.model_path}")
]=])
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=FACEAGE_MODEL --unset=FACEAGE_MTCNN_WEIGHTS
                        "PYTHONPATH=${prefix}/${MODULE_DIR}"
                        ${PYTHON} -c "${check}" "${prefix}" "${PHOTO}"
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the installed module failed (${code}):\n${out}\n${err}")
endif()
message(STATUS "${out}")
