#include "faceage/io/safetensors.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "faceage/core/error.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace {

using json = nlohmann::json;

// A header this large is not a weights file; refusing it bounds memory on bad input.
constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;
// More elements than any real weight tensor has (2^36, 256 GiB of fp32).
constexpr std::uint64_t kMaxElements = 1ull << 36;

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16},
    {"BF16", torch::kBFloat16}, {"I64", torch::kInt64},  {"I32", torch::kInt32},
    {"I16", torch::kInt16},    {"I8", torch::kInt8},     {"U8", torch::kUInt8},
    {"BOOL", torch::kBool},
};

torch::ScalarType dtype_from_name(const std::string& name, const std::string& where) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  fail("{}: unknown dtype '{}'", where, name);
}

const char* dtype_name(torch::ScalarType type, const std::string& tensor_name) {
  for (const auto& d : kDtypes)
    if (type == d.type) return d.name;
  fail("safetensors: tensor '{}' has a dtype safetensors cannot store", tensor_name);
}

struct Entry {
  std::string name;
  torch::ScalarType type;
  std::vector<int64_t> shape;
  std::uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const json& spec, std::uint64_t data_size,
                  const std::string& source) {
  const std::string where = source + ": tensor '" + name + "'";
  if (!spec.is_object() || !spec.contains("dtype") || !spec.contains("shape") ||
      !spec.contains("data_offsets"))
    fail("{}: needs dtype, shape and data_offsets", where);
  const json& dtype = spec["dtype"];
  const json& shape = spec["shape"];
  const json& offsets = spec["data_offsets"];
  if (!dtype.is_string()) fail("{}: dtype is not a string", where);
  if (!shape.is_array()) fail("{}: shape is not a list", where);
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail("{}: data_offsets must be two non-negative integers", where);

  Entry entry{name, dtype_from_name(dtype.get<std::string>(), where), {}, 0, 0};
  std::uint64_t elements = 1;
  // The product with zero dimensions counted as 1 bounds the strides LibTorch computes
  // too: [0, 2^63] has no elements but would overflow them (and not fit int64_t).
  std::uint64_t extent = 1;
  for (const json& dim : shape) {
    if (!dim.is_number_unsigned()) fail("{}: shape has a non-integer or negative dimension", where);
    const auto size = dim.get<std::uint64_t>();
    if (size > kMaxElements / extent) fail("{}: shape is too large", where);
    extent *= std::max<std::uint64_t>(size, 1);
    elements *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }
  entry.begin = offsets[0].get<std::uint64_t>();
  entry.end = offsets[1].get<std::uint64_t>();
  if (entry.begin > entry.end || entry.end > data_size)
    fail("{}: data_offsets [{}, {}] lie outside the {} data bytes", where, entry.begin,
         entry.end, data_size);
  const std::uint64_t expected = elements * c10::elementSize(entry.type);
  if (entry.end - entry.begin != expected)
    fail("{}: data_offsets span {} bytes but dtype and shape need {}", where,
         entry.end - entry.begin, expected);
  return entry;
}

void check_no_overlap(std::vector<Entry>& entries, const std::string& source) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].begin < entries[i - 1].end)
      fail("{}: tensors '{}' and '{}' overlap in the data section", source,
           entries[i - 1].name, entries[i].name);
}

}  // namespace

SafetensorsContent parse_safetensors(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 8) fail("{}: too short to be safetensors ({} bytes)", source, bytes.size());
  std::uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i)
    header_size = (header_size << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  if (header_size > kMaxHeaderBytes || header_size > bytes.size() - 8)
    fail("{}: header length {} does not fit in the file ({} bytes)", source, header_size,
         bytes.size());

  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(header_size));
  } catch (const json::exception& e) {
    fail("{}: header is not valid JSON ({})", source, e.what());
  }
  if (!header.is_object()) fail("{}: header is not a JSON object", source);

  const std::uint64_t data_start = 8 + header_size;
  const std::uint64_t data_size = bytes.size() - data_start;
  SafetensorsContent content;
  std::vector<Entry> entries;
  for (const auto& [name, spec] : header.items()) {
    if (name == "__metadata__") {
      if (!spec.is_object()) fail("{}: __metadata__ is not an object", source);
      for (const auto& [key, value] : spec.items()) {
        if (!value.is_string()) fail("{}: metadata '{}' is not a string", source, key);
        content.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(name, spec, data_size, source));
  }
  check_no_overlap(entries, source);

  for (const Entry& entry : entries) {
    torch::Tensor tensor = torch::empty(entry.shape, torch::TensorOptions().dtype(entry.type));
    if (entry.end > entry.begin)
      std::memcpy(tensor.data_ptr(), bytes.data() + data_start + entry.begin,
                  entry.end - entry.begin);
    content.tensors.emplace(entry.name, std::move(tensor));
  }
  return content;
}

SafetensorsContent read_safetensors(const std::string& path) {
  return parse_safetensors(read_file_bytes(path), path);
}

std::string serialize_safetensors(const TensorMap& tensors, const Metadata& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> contiguous;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
    const std::uint64_t size = static_cast<std::uint64_t>(cpu.numel()) * cpu.element_size();
    header[name] = {{"dtype", dtype_name(cpu.scalar_type(), name)},
                    {"shape", cpu.sizes().vec()},
                    {"data_offsets", {offset, offset + size}}};
    offset += size;
    contiguous.push_back(std::move(cpu));
  }
  std::string header_text = header.dump();
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + header_text.size() + offset);
  std::uint64_t header_size = header_text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header_size >> (8 * i)) & 0xff));
  out += header_text;
  for (const torch::Tensor& t : contiguous)
    out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const Metadata& metadata) {
  const std::string bytes = serialize_safetensors(tensors, metadata);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  });
}

}  // namespace faceage
