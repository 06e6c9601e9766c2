#pragma once
// Labels as the datasets write them, turned into Sample's conventions
// (gender 0 male / 1 female; ethnicity 0 White, 1 Black, 2 Asian, 3 Indian, 4 Other).
#include <optional>
#include <string_view>

namespace faceage {

// Ages outside [0, kMaxPlausibleAge] are data errors (a typo, a year of birth).
inline constexpr double kMaxPlausibleAge = 130;
inline bool plausible_age(double age) { return age >= 0 && age <= kMaxPlausibleAge; }

// "0", "1", "m", "f", "male", "female" (any case); nothing for anything else.
std::optional<int> parse_gender(std::string_view text);

// "0".."4"; the names "white", "black", "asian", "indian", "other"; MORPH's letters
// W, B, A, H (Hispanic, counted as Other as UTKFace does), O.
std::optional<int> parse_ethnicity(std::string_view text);

// The names of those labels, index = label.
inline constexpr const char* kGenderNames[] = {"male", "female"};
inline constexpr const char* kEthnicityNames[] = {"white", "black", "asian", "indian", "other"};

}  // namespace faceage
