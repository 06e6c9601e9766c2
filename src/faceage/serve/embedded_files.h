#pragma once
// Files built into the program (cmake/EmbedFiles.cmake writes the source that defines
// the lists at build time), so that `faceage serve` needs nothing beside its binary.
#include <string_view>
#include <vector>

namespace faceage {

struct EmbeddedFile {
  std::string_view name;    // the file's name in its source folder, e.g. "demo.js"
  std::string_view sha256;  // of bytes, hexadecimal
  std::string_view bytes;
};

// The files of src/faceage/serve/demo/, in name order.
const std::vector<EmbeddedFile>& embedded_demo_files();

}  // namespace faceage
