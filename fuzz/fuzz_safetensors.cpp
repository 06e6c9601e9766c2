// Any bytes as a safetensors file: parse_safetensors returns tensors or throws
// faceage::Error. What it accepts must write back and parse to the same names and shapes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  faceage::SafetensorsContent content;
  try {
    content = faceage::parse_safetensors(std::string(reinterpret_cast<const char*>(data), size),
                                         "fuzz.safetensors");
  } catch (const faceage::Error&) {
    return 0;
  }
  const faceage::SafetensorsContent again = faceage::parse_safetensors(
      faceage::serialize_safetensors(content.tensors, content.metadata), "rewritten");
  if (again.tensors.size() != content.tensors.size() || again.metadata != content.metadata)
    std::abort();
  for (const auto& [name, tensor] : content.tensors)
    if (!again.tensors.count(name) || again.tensors.at(name).sizes() != tensor.sizes()) std::abort();
  return 0;
}
