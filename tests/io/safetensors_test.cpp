// safetensors: round trips, and every kind of malformed file gives a clear error.
#include <gtest/gtest.h>

#include <fstream>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "test_support.h"

namespace faceage {
namespace {

std::string header_file(const std::string& header, size_t data_bytes) {
  std::string out(8, '\0');
  const uint64_t size = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  return out + header + std::string(data_bytes, '\x01');
}

// The error message must name the source and contain `expected`.
void expect_error(const std::string& bytes, const std::string& expected) {
  try {
    parse_safetensors(bytes, "weights.safetensors");
    FAIL() << "no error; expected one mentioning '" << expected << "'";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("weights.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST(Safetensors, RoundTripIsBitExactForEveryDtype) {
  TensorMap tensors = {
      {"conv.weight", torch::randn({4, 3, 3, 3})},
      {"half", torch::randn({5}).to(torch::kFloat16)},
      {"bf", torch::randn({2, 2}).to(torch::kBFloat16)},
      {"double", torch::randn({3}, torch::kFloat64)},
      {"count", torch::tensor({7}, torch::kInt64)},
      {"mask", torch::tensor({true, false})},
      {"bytes", torch::tensor({1, 2, 255}, torch::kUInt8)},
      {"scalar", torch::tensor(3.5f)},
      {"empty", torch::zeros({0, 4})},
  };
  const std::string path = faceage::testing::temp_dir("safetensors") + "/w.safetensors";
  write_safetensors(path, tensors, {{"format", "pt"}, {"note", "x"}});
  const SafetensorsContent read = read_safetensors(path);
  EXPECT_EQ(read.metadata.at("format"), "pt");
  ASSERT_EQ(read.tensors.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const torch::Tensor& back = read.tensors.at(name);
    EXPECT_EQ(back.scalar_type(), tensor.scalar_type()) << name;
    EXPECT_EQ(back.sizes(), tensor.sizes()) << name;
    EXPECT_TRUE(torch::equal(back, tensor)) << name;
  }
}

TEST(Safetensors, NonContiguousTensorsAreWrittenInLogicalOrder) {
  const torch::Tensor transposed = torch::arange(6, torch::kFloat32).reshape({2, 3}).t();
  const std::string bytes = serialize_safetensors({{"t", transposed}});
  EXPECT_TRUE(torch::equal(parse_safetensors(bytes, "mem").tensors.at("t"), transposed));
}

TEST(Safetensors, MalformedFilesGiveClearErrors) {
  expect_error("", "too short");
  expect_error("abc", "too short");
  expect_error(header_file("{}", 0).substr(0, 8) + "{", "does not fit");
  std::string huge(8, '\xff');
  expect_error(huge + "{}", "does not fit");
  expect_error(header_file("[1, 2]", 0), "not a JSON object");
  expect_error(header_file("{\"a\": ", 0), "not valid JSON");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4),
               "outside");
  expect_error(header_file(R"({"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}})", 4),
               "unknown dtype 'Q7'");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8),
               "need 12");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4),
               "negative");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})", 4),
               "outside");
  // Zero elements, but dimensions beyond int64_t: must not reach LibTorch.
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [0, 18446744073709551615], "data_offsets": [0, 0]}})", 0),
               "shape is too large");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [0, 4294967296, 4294967296], "data_offsets": [0, 0]}})", 0),
               "shape is too large");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [1]}})", 4), "data_offsets");
  expect_error(header_file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                               "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8),
               "overlap");
  expect_error(header_file(R"({"__metadata__": {"k": 1}})", 0), "metadata 'k'");
}

TEST(Safetensors, MissingFileIsNamed) {
  try {
    read_safetensors("/nonexistent/model.safetensors");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors"), std::string::npos);
  }
}

TEST(Safetensors, TruncatedFileIsRejected) {
  const std::string bytes = serialize_safetensors({{"w", torch::randn({16})}});
  expect_error(bytes.substr(0, bytes.size() - 5), "outside");
}

}  // namespace
}  // namespace faceage
