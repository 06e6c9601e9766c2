#pragma once
// The one exception type of faceage: its message names the input (file, row, option)
// and what was expected, so a user can fix the input without reading the code.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace faceage {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// fail("{}: line {}: age '{}' is not a number", path, line, text)
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace faceage
