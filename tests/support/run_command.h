#pragma once
// Runs a command line through the shell and captures what it printed and its exit code.
#include <string>

namespace faceage::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command_line);

}  // namespace faceage::testing
