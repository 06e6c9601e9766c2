#include "faceage/data/utkface_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "faceage/data/csv_fields.h"
#include "faceage/data/label_parsing.h"
#include "faceage/data/sample.h"

namespace faceage {
namespace fs = std::filesystem;
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
}

std::vector<std::string> split_underscores(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '_')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

UtkfaceName malformed(std::string problem) { return {std::nullopt, std::move(problem)}; }

}  // namespace

UtkfaceName parse_utkface_name(const std::string& file_name) {
  std::string stem;
  if (ends_with(file_name, ".jpg.chip.jpg"))
    stem = file_name.substr(0, file_name.size() - 13);
  else if (ends_with(file_name, ".jpg"))
    stem = file_name.substr(0, file_name.size() - 4);
  else
    return malformed("not a .jpg file name");
  if (stem.find_first_of(" \t") != std::string::npos) return malformed("stray space in the name");

  const std::vector<std::string> fields = split_underscores(stem);
  if (fields.size() != 4)
    return malformed(fmt::format(
        "{} fields where {{age}}_{{gender}}_{{race}}_{{datetime}} has 4{}", fields.size(),
        fields.size() == 3 ? " (race missing?)" : ""));
  const std::string& age = fields[0];
  const std::string& gender = fields[1];
  const std::string& race = fields[2];
  const std::string& datetime = fields[3];
  if (!all_digits(age) || age.size() > 3) return malformed(fmt::format("age '{}' is not a whole number", age));
  if (gender != "0" && gender != "1") return malformed(fmt::format("gender '{}' is not 0 or 1", gender));
  if (race.size() != 1 || race[0] < '0' || race[0] > '4')
    return malformed(fmt::format("race '{}' is not 0-4", race));
  // Real names carry 16 to 18 datetime digits; only "all digits" is checked.
  if (!all_digits(datetime))
    return malformed(fmt::format("datetime '{}' is not all digits (missing dot before jpg?)", datetime));
  UtkfaceLabels labels{std::stoi(age), gender[0] - '0', race[0] - '0'};
  if (!plausible_age(labels.age))
    return malformed(fmt::format("age {} is outside [0, {}]", labels.age, kMaxPlausibleAge));
  return {labels, {}};
}

ReadResult read_utkface(const std::string& folder, const ReadOptions& options) {
  if (!fs::is_directory(folder)) fail("{}: not a folder of UTKFace images", folder);
  std::vector<fs::path> files;
  ReadResult result;
  result.report.source = folder;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    if (to_lower(entry.path().extension().string()) != ".jpg") {
      ++result.report.files_ignored;
      continue;
    }
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // directory order differs between file systems

  for (const fs::path& file : files) {
    const UtkfaceName name = parse_utkface_name(file.filename().string());
    if (!name.labels) {
      reject_row(options, result.report, "{}: malformed UTKFace name: {}", file.string(), name.problem);
      continue;
    }
    Sample sample;
    sample.image_path = file.string();
    sample.age = name.labels->age;
    sample.gender = name.labels->gender;
    sample.ethnicity = name.labels->ethnicity;
    result.samples.push_back(std::move(sample));
  }
  result.report.rows_read = result.samples.size();
  return result;
}

}  // namespace faceage
