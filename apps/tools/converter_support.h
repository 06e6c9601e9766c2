#pragma once
// What the weight converters in apps/tools share: reading a file, and writing float32
// tensors as one safetensors file (atomically: a temporary, then a rename). Header-only
// and dependency-free but for nlohmann-json, so the fetch scripts build each converter
// with one plain `c++` call.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace converter {

[[noreturn]] inline void fail(const std::string& message) { throw std::runtime_error(message); }

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": cannot open");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct StoredTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

inline std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

inline void write_safetensors(const std::string& path,
                              const std::map<std::string, StoredTensor>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  nlohmann::json header;
  header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    const size_t size = tensor.values.size() * 4;
    header[name] = {
        {"dtype", "F32"}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::string temporary = path + ".tmp.convert";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) fail(temporary + ": cannot write");
    const uint64_t length = text.size();
    char length_bytes[8];
    for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    out.write(length_bytes, 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, tensor] : tensors)
      out.write(reinterpret_cast<const char*>(tensor.values.data()),
                static_cast<std::streamsize>(tensor.values.size() * 4));
    out.flush();
    if (!out) fail(temporary + ": write failed");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) fail(path + ": cannot rename into place");
}

// A safetensors file's header (the JSON after the 8-byte length) and the size of its data.
struct SafetensorsHeader {
  nlohmann::json header;
  size_t data_size = 0;
};

inline SafetensorsHeader read_safetensors_header(const std::string& path) {
  const std::string bytes = read_bytes(path);
  if (bytes.size() < 8) fail(path + ": too short for safetensors");
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i)
    length |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (length > bytes.size() - 8) fail(path + ": header length past the end");
  SafetensorsHeader result;
  result.header = nlohmann::json::parse(bytes.substr(8, length), nullptr, false);
  if (result.header.is_discarded() || !result.header.is_object()) fail(path + ": header is not JSON");
  result.data_size = bytes.size() - 8 - length;
  return result;
}

// Throws unless `name` is an F32 tensor of `shape` whose data lies inside the file.
inline void check_tensor(const std::string& path, const SafetensorsHeader& file,
                         const std::string& name, const std::vector<int64_t>& shape) {
  if (!file.header.contains(name)) fail(path + ": missing tensor " + name);
  const auto& entry = file.header[name];
  if (entry.value("dtype", "") != "F32") fail(path + ": " + name + " is not F32");
  if (entry.at("shape").get<std::vector<int64_t>>() != shape)
    fail(path + ": " + name + " has shape " +
         shape_text(entry.at("shape").get<std::vector<int64_t>>()) + ", expected " +
         shape_text(shape));
  const auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  if (offsets.size() != 2 || offsets[1] > file.data_size || offsets[1] - offsets[0] != count * 4)
    fail(path + ": " + name + " has bad data offsets");
}

}  // namespace converter
