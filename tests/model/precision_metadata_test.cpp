// A model file's reduced-precision record (model/model_file.h `precisions`): written only
// when there is one, read back as written, and refused with the file's name when it
// names an unknown precision or validates int8 without its ranges.
#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/model/model_file.h"

namespace faceage {
namespace {

ModelSpec some_spec() {
  ModelSpec spec;
  spec.network.architecture = "resnet18";
  return spec;
}

TEST(PrecisionMetadata, RoundTripsAndIsAbsentWhenEmpty) {
  ModelSpec spec = some_spec();
  EXPECT_FALSE(to_json(spec).contains("precisions"));
  spec.precisions = {{"int8", "bfloat16"}, {1.5f, 2.25f, 0.125f}};
  spec.precision_check = {{"mae", {{"float32", 4.9}, {"int8", 4.95}}}};
  const ModelSpec read = model_spec_from_json(to_json(spec), "m.safetensors");
  EXPECT_EQ(read.precisions.validated, spec.precisions.validated);
  EXPECT_EQ(read.precisions.int8_ranges, spec.precisions.int8_ranges);
  EXPECT_TRUE(read.precisions.validates("int8"));
  EXPECT_FALSE(read.precisions.validates("float16"));
  EXPECT_DOUBLE_EQ(read.precision_check["mae"]["int8"].get<double>(), 4.95);
}

TEST(PrecisionMetadata, ABadRecordIsAnErrorNamingTheFile) {
  ModelSpec spec = some_spec();
  spec.precisions = {{"int4"}, {1.0f}};
  try {
    model_spec_from_json(to_json(spec), "bad.safetensors");
    FAIL() << "an unknown precision was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.safetensors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int4"), std::string::npos) << e.what();
  }
  spec.precisions = {{"int8"}, {}};
  nlohmann::json json = to_json(spec);
  json["precisions"]["int8_activation_ranges"] = nlohmann::json::array();
  EXPECT_THROW(model_spec_from_json(json, "bad.safetensors"), Error);
}

}  // namespace
}  // namespace faceage
