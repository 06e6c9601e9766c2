#include "faceage/data/fgnet_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "faceage/data/csv_fields.h"
#include "faceage/data/label_parsing.h"

namespace faceage {
namespace fs = std::filesystem;

std::optional<FgnetName> parse_fgnet_name(const std::string& file_name) {
  const std::string name = to_lower(file_name);
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || (name.substr(dot) != ".jpg" && name.substr(dot) != ".jpeg"))
    return std::nullopt;
  const size_t a = name.find('a');
  if (a == 0 || a == std::string::npos || a > dot) return std::nullopt;
  std::string stem = name.substr(a + 1, dot - a - 1);
  if (!stem.empty() && std::isalpha(static_cast<unsigned char>(stem.back()))) stem.pop_back();
  const std::optional<long long> subject = parse_integer(name.substr(0, a));
  const std::optional<long long> age = parse_integer(stem);
  const bool digits_only = std::all_of(stem.begin(), stem.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!subject || !age || !digits_only || *subject < 0 || !plausible_age(static_cast<double>(*age)))
    return std::nullopt;
  return FgnetName{file_name.substr(0, a), static_cast<int>(*age)};
}

ReadResult read_fgnet(const std::string& folder, const ReadOptions& options) {
  if (!fs::is_directory(folder)) fail("{}: not a folder of FG-NET images", folder);
  ReadResult result;
  result.report.source = folder;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    const std::string extension = to_lower(entry.path().extension().string());
    if (entry.is_regular_file() && (extension == ".jpg" || extension == ".jpeg"))
      files.push_back(entry.path());
    else if (entry.is_regular_file())
      ++result.report.files_ignored;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::optional<FgnetName> name = parse_fgnet_name(file.filename().string());
    if (!name) {
      reject_row(options, result.report,
                 "{}: malformed FG-NET name: expected {{subject}}A{{age}}.JPG such as 001A02.JPG",
                 file.string());
      continue;
    }
    Sample sample;
    sample.image_path = file.string();
    sample.age = name->age;
    sample.subject = name->subject;
    result.samples.push_back(std::move(sample));
  }
  result.report.rows_read = result.samples.size();
  return result;
}

}  // namespace faceage
