#pragma once
// Each subcommand lives in its own file and registers itself here at start-up, so
// adding a command never touches main.cpp.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace faceage::cli {

// Adds the subcommand's options to `app` and returns the function that runs it
// (called after parsing, only if this subcommand was chosen; returns the exit code).
using CommandSetup = std::function<std::function<int()>(CLI::App& app)>;

struct Command {
  std::string name;
  std::string description;
  CommandSetup setup;
};

std::vector<Command>& commands();

struct RegisterCommand {
  RegisterCommand(std::string name, std::string description, CommandSetup setup) {
    commands().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace faceage::cli
