#include "faceage/data/label_parsing.h"

#include <map>
#include <string>

#include "faceage/data/csv_fields.h"

namespace faceage {

std::optional<int> parse_gender(std::string_view text) {
  static const std::map<std::string, int> kGenders = {
      {"0", 0}, {"1", 1}, {"m", 0}, {"f", 1}, {"male", 0}, {"female", 1}};
  const auto found = kGenders.find(to_lower(trim(text)));
  if (found == kGenders.end()) return std::nullopt;
  return found->second;
}

std::optional<int> parse_ethnicity(std::string_view text) {
  static const std::map<std::string, int> kEthnicities = {
      {"0", 0}, {"1", 1}, {"2", 2}, {"3", 3}, {"4", 4},
      {"white", 0}, {"black", 1}, {"asian", 2}, {"indian", 3}, {"other", 4},
      {"w", 0}, {"b", 1}, {"a", 2}, {"h", 4}, {"o", 4}};
  const auto found = kEthnicities.find(to_lower(trim(text)));
  if (found == kEthnicities.end()) return std::nullopt;
  return found->second;
}

}  // namespace faceage
