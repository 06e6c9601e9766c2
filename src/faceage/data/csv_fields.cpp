#include "faceage/data/csv_fields.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "faceage/core/error.h"

namespace faceage {

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';  // "" inside quotes is one quote
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) fail("unterminated quoted field");
  return fields;
}

std::string quote_csv_field(const std::string& field) {
  const bool needs_quotes = field.find_first_of(",\"\n\r") != std::string::npos ||
                            (!field.empty() && (std::isspace(static_cast<unsigned char>(field.front())) ||
                                                std::isspace(static_cast<unsigned char>(field.back()))));
  if (!needs_quotes) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

std::string trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::optional<double> parse_number(std::string_view text) {
  const std::string field = trim(text);
  if (field.empty()) return std::nullopt;
  // strtod accepts what Python's float() writes ("1e-05", "3.0"); the whole field must be used.
  char* end = nullptr;
  const double value = std::strtod(field.c_str(), &end);
  if (end != field.c_str() + field.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<long long> parse_integer(std::string_view text) {
  const std::string field = trim(text);
  long long value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (field.empty() || error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

}  // namespace faceage
