#pragma once
// The field level of CSV files (RFC 4180 quoting; a field may not span lines), and the
// whole-field number parsing that every reader shares.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceage {

// Throws faceage::Error("unterminated quoted field") without a location: the caller
// knows the file and line and adds them.
std::vector<std::string> split_csv_line(std::string_view line);

// The field as written into a CSV line: quoted when it holds a comma, quote or space at
// either end.
std::string quote_csv_field(const std::string& field);

std::string trim(std::string_view text);
std::string to_lower(std::string_view text);

// The whole text as a finite number / integer, or nothing ("12abc", "", "nan" are not).
std::optional<double> parse_number(std::string_view text);
std::optional<long long> parse_integer(std::string_view text);

}  // namespace faceage
