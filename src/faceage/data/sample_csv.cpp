#include "faceage/data/sample_csv.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "faceage/data/csv_fields.h"
#include "faceage/data/label_parsing.h"
#include "faceage/io/atomic_file.h"

namespace faceage {
namespace fs = std::filesystem;
namespace {

enum class Column { image, age, gender, ethnicity, subject, angle, x1, y1, x2, y2 };

const std::map<std::string, Column>& column_names() {
  static const std::map<std::string, Column> kNames = {
      {"photo", Column::image},     {"image_path", Column::image}, {"image", Column::image},
      {"path", Column::image},      {"file", Column::image},       {"filename", Column::image},
      {"age", Column::age},         {"gender", Column::gender},    {"race", Column::ethnicity},
      {"ethnicity", Column::ethnicity}, {"subject", Column::subject}, {"id_num", Column::subject},
      {"deg", Column::angle},
      {"angle", Column::angle},     {"box1", Column::x1},          {"box2", Column::y1},
      {"box3", Column::x2},         {"box4", Column::y2},          {"x1", Column::x1},
      {"y1", Column::y1},           {"x2", Column::x2},            {"y2", Column::y2}};
  return kNames;
}

// Which field of a row holds each known column.
using ColumnIndex = std::map<Column, size_t>;

ColumnIndex index_header(const std::vector<std::string>& header, const std::string& path) {
  ColumnIndex index;
  for (size_t i = 0; i < header.size(); ++i) {
    const auto known = column_names().find(to_lower(trim(header[i])));
    if (known == column_names().end()) continue;
    if (!index.emplace(known->second, i).second)
      fail("{}: line 1: column '{}' names the same field as an earlier column", path, header[i]);
  }
  if (!index.count(Column::image))
    fail("{}: line 1: no image column (expected 'photo', 'image_path' or 'filename')", path);
  if (!index.count(Column::age)) fail("{}: line 1: no 'age' column", path);
  const size_t box_columns = index.count(Column::x1) + index.count(Column::y1) +
                             index.count(Column::x2) + index.count(Column::y2);
  if (box_columns != 0 && box_columns != 4)
    fail("{}: line 1: the face box needs all four columns box1..box4 (x1, y1, x2, y2)", path);
  return index;
}

std::string resolve_image_path(const std::string& image, const fs::path& base) {
  const fs::path image_path(image);
  if (image_path.is_absolute() || base.empty()) return image_path.lexically_normal().string();
  return (base / image_path).lexically_normal().string();
}

// Parses one row into `sample`; returns the reason when the row is malformed.
std::optional<std::string> parse_row(const std::vector<std::string>& fields,
                                     const ColumnIndex& index, const fs::path& image_base,
                                     Sample& sample) {
  const auto field = [&](Column column) -> std::string {
    const auto found = index.find(column);
    return found == index.end() ? std::string() : trim(fields[found->second]);
  };
  const std::string image = field(Column::image);
  if (image.empty()) return "empty image path";
  sample.image_path = resolve_image_path(image, image_base);

  const std::string age_text = field(Column::age);
  const std::optional<double> age = parse_number(age_text);
  if (!age) return fmt::format("age '{}' is not a number", age_text);
  if (!plausible_age(*age))
    return fmt::format("age {} is outside [0, {}]", *age, kMaxPlausibleAge);
  sample.age = *age;

  if (const std::string text = field(Column::gender); !text.empty()) {
    const std::optional<int> gender = parse_gender(text);
    if (!gender) return fmt::format("gender '{}' is not 0/1/M/F", text);
    sample.gender = *gender;
  }
  if (const std::string text = field(Column::ethnicity); !text.empty()) {
    const std::optional<int> ethnicity = parse_ethnicity(text);
    if (!ethnicity) return fmt::format("race '{}' is not 0-4 or a known name", text);
    sample.ethnicity = *ethnicity;
  }
  sample.subject = field(Column::subject);
  if (const std::string text = field(Column::angle); !text.empty()) {
    const std::optional<double> angle = parse_number(text);
    if (!angle) return fmt::format("angle deg '{}' is not a number", text);
    sample.angle = *angle;
  }

  const std::string corners[4] = {field(Column::x1), field(Column::y1), field(Column::x2),
                                  field(Column::y2)};
  const size_t filled = !corners[0].empty() + !corners[1].empty() + !corners[2].empty() +
                        !corners[3].empty();
  if (filled == 0) return std::nullopt;
  if (filled != 4) return std::string("face box has only some of box1..box4");
  double values[4];
  for (int i = 0; i < 4; ++i) {
    const std::optional<double> value = parse_number(corners[i]);
    if (!value) return fmt::format("box{} '{}' is not a number", i + 1, corners[i]);
    values[i] = *value;
  }
  const FaceBox box{values[0], values[1], values[2], values[3]};
  if (!(box.x2 > box.x1 && box.y2 > box.y1))
    return fmt::format("face box ({}, {})-({}, {}) is empty or inverted", box.x1, box.y1,
                       box.x2, box.y2);
  sample.box = box;
  return std::nullopt;
}

std::string format_optional_label(int label) {
  return label == kUnknownLabel ? std::string() : std::to_string(label);
}

}  // namespace

std::string path_for_csv(const std::string& image_path, const std::string& csv_folder) {
  const fs::path image = fs::absolute(image_path).lexically_normal();
  const fs::path relative = image.lexically_relative(csv_folder);
  const bool inside = !relative.empty() && *relative.begin() != "..";
  return inside ? relative.string() : image.string();
}

ReadResult read_samples_csv(const std::string& path, const ReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the CSV file", path);
  return parse_samples_csv(in, path, options);
}

ReadResult parse_samples_csv(std::istream& in, const std::string& path, const ReadOptions& options) {
  ReadResult result;
  result.report.source = path;
  const fs::path image_base = options.image_root.empty()
                                  ? fs::path(path).parent_path()
                                  : fs::path(options.image_root);

  std::string line;
  size_t line_number = 0;
  std::optional<ColumnIndex> index;
  size_t header_size = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 BOM
    if (trim(line).empty()) continue;

    std::vector<std::string> fields;
    try {
      fields = split_csv_line(line);
    } catch (const Error& e) {
      if (!index) fail("{}: line {}: {}", path, line_number, e.what());
      reject_row(options, result.report, "{}: line {}: {}", path, line_number, e.what());
      continue;
    }
    if (!index) {
      index = index_header(fields, path);
      header_size = fields.size();
      continue;
    }
    if (fields.size() != header_size) {
      reject_row(options, result.report, "{}: line {}: {} fields, the header has {}", path,
                 line_number, fields.size(), header_size);
      continue;
    }
    Sample sample;
    if (const auto problem = parse_row(fields, *index, image_base, sample)) {
      reject_row(options, result.report, "{}: line {}: {}", path, line_number, *problem);
      continue;
    }
    result.samples.push_back(std::move(sample));
  }
  if (in.bad()) fail("{}: read error after line {}", path, line_number);
  if (!index) fail("{}: empty file, expected a header row (photo, age, ...)", path);
  result.report.rows_read = result.samples.size();
  return result;
}

std::string samples_csv_header() { return "photo,age,gender,race,subject,deg,box1,box2,box3,box4"; }

std::string sample_csv_line(const Sample& sample, const std::string& csv_folder) {
  std::string line = fmt::format(
      "{},{},{},{},{},{}", quote_csv_field(path_for_csv(sample.image_path, csv_folder)),
      sample.age, format_optional_label(sample.gender), format_optional_label(sample.ethnicity),
      quote_csv_field(sample.subject), sample.angle ? fmt::format("{}", *sample.angle) : "");
  if (sample.box)
    line += fmt::format(",{},{},{},{}", sample.box->x1, sample.box->y1, sample.box->x2,
                        sample.box->y2);
  else
    line += ",,,,";
  return line;
}

void write_samples_csv(const std::string& path, const std::vector<Sample>& samples) {
  const std::string csv_folder = fs::absolute(path).parent_path().lexically_normal().string();
  std::ostringstream out;
  out << samples_csv_header() << '\n';
  for (const Sample& sample : samples) out << sample_csv_line(sample, csv_folder) << '\n';
  write_text_atomically(path, out.str());
}

}  // namespace faceage
