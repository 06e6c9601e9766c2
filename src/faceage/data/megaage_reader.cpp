#include "faceage/data/megaage_reader.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "faceage/data/csv_fields.h"
#include "faceage/data/label_parsing.h"

namespace faceage {
namespace fs = std::filesystem;
namespace {

// The lines of a list file, trailing blank lines dropped, '\r' removed.
std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the MegaAge list file", path.string());
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  return lines;
}

}  // namespace

ReadResult read_megaage(const std::string& folder, const std::string& split,
                        const ReadOptions& options) {
  if (split.empty() || split.find('/') != std::string::npos)
    fail("{}: MegaAge split '{}' must be a name such as train or test", folder, split);
  const fs::path names_path = fs::path(folder) / "list" / (split + "_name.txt");
  const fs::path ages_path = fs::path(folder) / "list" / (split + "_age.txt");
  const std::vector<std::string> names = read_lines(names_path);
  const std::vector<std::string> ages = read_lines(ages_path);
  if (names.size() != ages.size())
    fail("{}: {} names but {} has {} ages; the lists must pair line by line",
         names_path.string(), names.size(), ages_path.string(), ages.size());

  const fs::path image_folder =
      options.image_root.empty() ? fs::path(folder) / split : fs::path(options.image_root);
  ReadResult result;
  result.report.source = names_path.string();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name = trim(names[i]);
    const std::string age_text = trim(ages[i]);
    const std::optional<double> age = parse_number(age_text);
    if (name.empty()) {
      reject_row(options, result.report, "{}: line {}: empty image name", names_path.string(), i + 1);
      continue;
    }
    if (!age || !plausible_age(*age)) {
      reject_row(options, result.report, "{}: line {}: age '{}' is not a number in [0, {}]",
                 ages_path.string(), i + 1, age_text, kMaxPlausibleAge);
      continue;
    }
    Sample sample;
    sample.image_path = (image_folder / name).lexically_normal().string();
    sample.age = *age;
    result.samples.push_back(std::move(sample));
  }
  result.report.rows_read = result.samples.size();
  return result;
}

}  // namespace faceage
