// Any text as a label file (the CSV reader, both malformed-row policies) and as a dataset
// file name (UTKFace, MORPH, FG-NET encode labels in names): the readers return rows or
// throw faceage::Error, never crash.
#include <cstdint>
#include <sstream>
#include <string>

#include "faceage/core/error.h"
#include "faceage/data/csv_fields.h"
#include "faceage/data/fgnet_reader.h"
#include "faceage/data/label_parsing.h"
#include "faceage/data/morph_reader.h"
#include "faceage/data/sample_csv.h"
#include "faceage/data/utkface_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto policy : {faceage::MalformedPolicy::fail, faceage::MalformedPolicy::skip}) {
    faceage::ReadOptions options;
    options.on_malformed = policy;
    std::istringstream in(text);
    try {
      const faceage::ReadResult result = faceage::parse_samples_csv(in, "fuzz/labels.csv", options);
      for (const faceage::Sample& sample : result.samples)
        if (!faceage::plausible_age(sample.age)) std::abort();  // the reader's own promise
    } catch (const faceage::Error&) {
    }
  }
  const std::string name = text.substr(0, text.find('\n'));
  try {
    faceage::parse_utkface_name(name);
    faceage::parse_morph_name(name);
    faceage::parse_fgnet_name(name);
    faceage::parse_gender(name);
    faceage::parse_ethnicity(name);
    faceage::parse_number(name);
    faceage::parse_integer(name);
  } catch (const faceage::Error&) {
  }
  return 0;
}
