#include "faceage/data/morph_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "faceage/data/csv_fields.h"
#include "faceage/data/label_parsing.h"
#include "faceage/data/sample_csv.h"

namespace faceage {
namespace fs = std::filesystem;

std::optional<MorphName> parse_morph_name(const std::string& file_name) {
  const size_t dot = file_name.rfind('.');
  const size_t underscore = file_name.find('_');
  if (dot == std::string::npos || underscore == std::string::npos || underscore > dot)
    return std::nullopt;
  const std::string extension = to_lower(file_name.substr(dot));
  if (extension != ".jpg" && extension != ".jpeg" && extension != ".png") return std::nullopt;
  const std::string subject = file_name.substr(0, underscore);
  const std::string rest = file_name.substr(underscore + 1, dot - underscore - 1);  // 00M21
  const size_t sex = rest.find_first_of("MFmf");
  if (sex == 0 || sex == std::string::npos) return std::nullopt;
  const auto digits = [](const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  const std::string age_text = rest.substr(sex + 1);
  if (!digits(subject) || !digits(rest.substr(0, sex)) || !digits(age_text) || age_text.size() > 3)
    return std::nullopt;
  const int age = std::stoi(age_text);
  if (!plausible_age(age)) return std::nullopt;
  return MorphName{subject, std::toupper(static_cast<unsigned char>(rest[sex])) == 'F' ? 1 : 0, age};
}

ReadResult read_morph(const std::string& csv_or_folder, const ReadOptions& options) {
  if (!fs::is_directory(csv_or_folder)) {
    ReadResult result = read_samples_csv(csv_or_folder, options);
    for (Sample& sample : result.samples) {
      if (!sample.subject.empty()) continue;
      if (const auto name = parse_morph_name(fs::path(sample.image_path).filename().string()))
        sample.subject = name->subject;
    }
    return result;
  }

  ReadResult result;
  result.report.source = csv_or_folder;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(csv_or_folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string extension = to_lower(entry.path().extension().string());
    if (extension == ".jpg" || extension == ".jpeg" || extension == ".png")
      files.push_back(entry.path());
    else
      ++result.report.files_ignored;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    const std::optional<MorphName> name = parse_morph_name(file.filename().string());
    if (!name) {
      reject_row(options, result.report,
                 "{}: malformed MORPH name: expected {{subject}}_{{picture}}{{M|F}}{{age}}.JPG "
                 "such as 003299_00M21.JPG",
                 file.string());
      continue;
    }
    Sample sample;
    sample.image_path = file.string();
    sample.age = name->age;
    sample.gender = name->gender;
    sample.subject = name->subject;
    result.samples.push_back(std::move(sample));
  }
  result.report.rows_read = result.samples.size();
  return result;
}

}  // namespace faceage
