// Any text as a training configuration (TOML), and its first line as a --set override:
// parse_train_config returns a checked TrainConfig or throws faceage::Error.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "faceage/core/error.h"
#include "faceage/learn/train_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const faceage::TrainConfig config = faceage::parse_train_config(text, "fuzz.toml");
    // What is accepted must survive the checkpoint's JSON copy unchanged.
    if (faceage::to_json(faceage::config_from_json(faceage::to_json(config), "again")) !=
        faceage::to_json(config))
      std::abort();
  } catch (const faceage::Error&) {
  }
  try {
    faceage::parse_train_config("", "fuzz", {text.substr(0, text.find('\n'))});
  } catch (const faceage::Error&) {
  }
  return 0;
}
