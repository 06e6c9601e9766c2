// face_api_recognition_convert: converts face-api.js's face-recognition network (dlib's
// ResNet-29, npm @vladmandic/face-api@1.7.15, model/face_recognition_model.bin with
// face_recognition_model-weights_manifest.json) into the safetensors file faceage's
// face_resnet29 backbone loads as its pretrained initialisation (src/faceage/nn/face_resnet.h).
//
// Built and run by scripts/fetch-face-init.sh with a plain `c++` call: the C++17 standard
// library and nlohmann-json's header only.
//
//   face_api_recognition_convert --manifest M.json --weights-dir DIR --out W
//   face_api_recognition_convert --check W     exit 0 when W holds every expected tensor
//
// The tfjs weights manifest lists tensors in the order their bytes follow each other in
// the files of `paths`; each is float32, or quantised with its own `min` and `scale`
// (value = min + scale * q for uint8 / uint16 q) or stored as float16. Stored layout:
//   <conv>.weight  [out, in, kh, kw]  from tfjs's [kh, kw, in, out]
//   <conv>.bias    [out]
//   <bn>.weight, <bn>.bias            face-api's per-channel scale `weights` and `biases`
//   <bn>.running_mean = 0, <bn>.running_var = 1 - 1e-5: with the batch norm's eps of 1e-5,
//                                     eval mode computes exactly weight * x + bias
//   embedding.weight [128, 256]       face-api's `fc` [256, 128], transposed
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter_support.h"

namespace {

using converter::fail;
using converter::StoredTensor;

constexpr double kBatchNormEps = 1e-5;

// face-api's block names and the backbone's, with each block's output channels.
struct Block {
  const char* face_api;
  const char* ours;
  int64_t in, out;
  bool stem = false;
};

const std::vector<Block>& blocks() {
  static const std::vector<Block> table = {
      {"conv32_down", "", 3, 32, true},
      {"conv32_1", "layer1.0", 32, 32},       {"conv32_2", "layer1.1", 32, 32},
      {"conv32_3", "layer1.2", 32, 32},       {"conv64_down", "layer2.0", 32, 64},
      {"conv64_1", "layer2.1", 64, 64},       {"conv64_2", "layer2.2", 64, 64},
      {"conv64_3", "layer2.3", 64, 64},       {"conv128_down", "layer3.0", 64, 128},
      {"conv128_1", "layer3.1", 128, 128},    {"conv128_2", "layer3.2", 128, 128},
      {"conv256_down", "layer4.0", 128, 256}, {"conv256_1", "layer4.1", 256, 256},
      {"conv256_2", "layer4.2", 256, 256},    {"conv256_down_out", "layer5.0", 256, 256},
  };
  return table;
}

// Every stored tensor with its shape: what --check expects and the conversion must give.
std::map<std::string, std::vector<int64_t>> expected_tensors() {
  std::map<std::string, std::vector<int64_t>> expected;
  for (const Block& block : blocks()) {
    const std::string base = block.stem ? "" : std::string(block.ours) + ".";
    const int convolutions = block.stem ? 1 : 2;
    for (int k = 1; k <= convolutions; ++k) {
      const std::string conv = base + "conv" + std::to_string(k);
      const std::string bn = base + "bn" + std::to_string(k);
      const int64_t in = k == 1 ? block.in : block.out;
      const int64_t kernel = block.stem ? 7 : 3;
      expected[conv + ".weight"] = {block.out, in, kernel, kernel};
      expected[conv + ".bias"] = {block.out};
      for (const char* field : {".weight", ".bias", ".running_mean", ".running_var"})
        expected[bn + field] = {block.out};
    }
  }
  expected["embedding.weight"] = {128, 256};
  return expected;
}

// The manifest's name for one of our tensors' sources, e.g. ("conv64_down", 2, "conv",
// "filters") -> "conv64_down/conv2/conv/filters"; the stem has no convN level.
std::string face_api_name(const Block& block, int k, const char* part, const char* field) {
  std::string name = std::string(block.face_api) + "/";
  if (!block.stem) name += "conv" + std::to_string(k) + "/";
  return name + part + "/" + field;
}

struct ManifestTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;  // dequantised, in tfjs's layout
};

float half_to_float(uint16_t h) {
  const int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) value = std::ldexp(mantissa, -24);
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;
  else value = std::ldexp(mantissa + 1024, exponent - 25);
  return static_cast<float>(sign ? -value : value);
}

std::map<std::string, ManifestTensor> read_manifest(const std::string& manifest_path,
                                                    const std::string& weights_dir) {
  const nlohmann::json manifest =
      nlohmann::json::parse(converter::read_bytes(manifest_path), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_array())
    fail(manifest_path + ": not a tfjs weights manifest (a JSON array of groups)");
  std::map<std::string, ManifestTensor> tensors;
  for (const auto& group : manifest) {
    std::string bytes;
    for (const auto& path : group.at("paths")) bytes += converter::read_bytes(weights_dir + "/" + path.get<std::string>());
    size_t offset = 0;
    for (const auto& spec : group.at("weights")) {
      const std::string name = spec.at("name").get<std::string>();
      if (spec.value("dtype", "") != "float32") fail(manifest_path + ": " + name + " is not float32");
      ManifestTensor tensor;
      tensor.shape = spec.at("shape").get<std::vector<int64_t>>();
      size_t count = 1;
      for (int64_t d : tensor.shape) count *= static_cast<size_t>(d);
      const nlohmann::json quantization = spec.value("quantization", nlohmann::json::object());
      const std::string stored = quantization.value("dtype", "float32");
      const size_t width = stored == "uint8" ? 1 : stored == "float32" ? 4 : 2;
      if (stored != "uint8" && stored != "uint16" && stored != "float16" && stored != "float32")
        fail(manifest_path + ": " + name + " has an unknown quantisation " + stored);
      if (offset + count * width > bytes.size())
        fail(manifest_path + ": " + name + " runs past the end of the weight files");
      const auto* data = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
      tensor.values.resize(count);
      const double scale = quantization.value("scale", 1.0), minimum = quantization.value("min", 0.0);
      for (size_t i = 0; i < count; ++i) {
        if (stored == "uint8") {
          tensor.values[i] = static_cast<float>(minimum + scale * data[i]);
        } else if (stored == "uint16") {
          const uint16_t q = static_cast<uint16_t>(data[2 * i] | (data[2 * i + 1] << 8));
          tensor.values[i] = static_cast<float>(minimum + scale * q);
        } else if (stored == "float16") {
          tensor.values[i] = half_to_float(static_cast<uint16_t>(data[2 * i] | (data[2 * i + 1] << 8)));
        } else {
          std::memcpy(&tensor.values[i], data + 4 * i, 4);
        }
      }
      offset += count * width;
      tensors[name] = std::move(tensor);
    }
    if (offset != bytes.size())
      fail(manifest_path + ": the weight files hold " + std::to_string(bytes.size() - offset) +
           " bytes more than the manifest describes");
  }
  return tensors;
}

const ManifestTensor& take(const std::map<std::string, ManifestTensor>& tensors,
                           const std::string& name, const std::vector<int64_t>& shape,
                           const std::string& source) {
  const auto found = tensors.find(name);
  if (found == tensors.end()) fail(source + ": no tensor " + name);
  if (found->second.shape != shape)
    fail(source + ": " + name + " has shape " + converter::shape_text(found->second.shape) +
         ", expected " + converter::shape_text(shape));
  return found->second;
}

// [kh, kw, in, out] -> [out, in, kh, kw]
StoredTensor convolution_weight(const ManifestTensor& t) {
  const int64_t kh = t.shape[0], kw = t.shape[1], in = t.shape[2], out = t.shape[3];
  StoredTensor stored{{out, in, kh, kw}, std::vector<float>(t.values.size())};
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x = 0; x < kw; ++x)
      for (int64_t c = 0; c < in; ++c)
        for (int64_t o = 0; o < out; ++o)
          stored.values[((o * in + c) * kh + y) * kw + x] = t.values[((y * kw + x) * in + c) * out + o];
  return stored;
}

std::map<std::string, StoredTensor> convert(const std::map<std::string, ManifestTensor>& tensors,
                                            const std::string& source) {
  std::map<std::string, StoredTensor> out;
  size_t used = 0;
  for (const Block& block : blocks()) {
    const std::string base = block.stem ? "" : std::string(block.ours) + ".";
    const int convolutions = block.stem ? 1 : 2;
    for (int k = 1; k <= convolutions; ++k) {
      const int64_t in = k == 1 ? block.in : block.out, kernel = block.stem ? 7 : 3;
      const std::string conv = base + "conv" + std::to_string(k);
      const std::string bn = base + "bn" + std::to_string(k);
      const std::vector<int64_t> channels = {block.out};
      out[conv + ".weight"] = convolution_weight(
          take(tensors, face_api_name(block, k, "conv", "filters"), {kernel, kernel, in, block.out}, source));
      out[conv + ".bias"] = {channels, take(tensors, face_api_name(block, k, "conv", "bias"), channels, source).values};
      out[bn + ".weight"] = {channels, take(tensors, face_api_name(block, k, "scale", "weights"), channels, source).values};
      out[bn + ".bias"] = {channels, take(tensors, face_api_name(block, k, "scale", "biases"), channels, source).values};
      out[bn + ".running_mean"] = {channels, std::vector<float>(block.out, 0.0f)};
      out[bn + ".running_var"] = {channels, std::vector<float>(block.out, static_cast<float>(1.0 - kBatchNormEps))};
      used += 4;
    }
  }
  const ManifestTensor& fc = take(tensors, "fc", {256, 128}, source);
  StoredTensor embedding{{128, 256}, std::vector<float>(fc.values.size())};
  for (int64_t i = 0; i < 256; ++i)
    for (int64_t o = 0; o < 128; ++o) embedding.values[o * 256 + i] = fc.values[i * 128 + o];
  out["embedding.weight"] = std::move(embedding);
  if (++used != tensors.size())
    fail(source + ": the manifest has " + std::to_string(tensors.size() - used) +
         " tensors this converter does not know: is it another network?");
  return out;
}

void check_file(const std::string& path) {
  const converter::SafetensorsHeader file = converter::read_safetensors_header(path);
  const auto expected = expected_tensors();
  for (const auto& [name, shape] : expected) converter::check_tensor(path, file, name, shape);
  if (file.header.size() != expected.size() + 1) fail(path + ": unexpected extra tensors");
}

int usage() {
  std::cerr << "usage: face_api_recognition_convert --manifest M.json --weights-dir DIR --out FILE\n"
               "       face_api_recognition_convert --check FILE\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  if (argc % 2 == 0) return usage();
  try {
    if (args.count("--check")) {
      check_file(args["--check"]);
      std::cout << args["--check"] << ": valid face_resnet29 initialisation\n";
      return 0;
    }
    for (const char* key : {"--manifest", "--weights-dir", "--out"})
      if (!args.count(key)) return usage();
    const auto tensors = read_manifest(args["--manifest"], args["--weights-dir"]);
    const auto stored = convert(tensors, args["--manifest"]);
    converter::write_safetensors(
        args["--out"], stored,
        {{"format", "faceage-pretrained-1"},
         {"architecture", "face_resnet29"},
         {"source", "@vladmandic/face-api@1.7.15 model/face_recognition_model.bin"},
         {"input", "RGB, (pixel - [122.782, 117.001, 104.298]) / 256, 150 x 150"},
         {"license", "MIT (face-api.js, @vladmandic/face-api; dlib's model: CC0 / public domain)"}});
    check_file(args["--out"]);
    std::cout << "wrote " << args["--out"] << " (" << stored.size() << " tensors)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "face_api_recognition_convert: error: " << e.what() << "\n";
    return 1;
  }
}
