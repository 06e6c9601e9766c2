// faceage: age estimation from face photos; training and evaluation of age estimators.
#include <exception>
#include <iostream>
#include <map>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "command.h"
#include "faceage/core/error.h"
#include "faceage/core/memory_reuse.h"
#include "faceage/core/thread_wait_policy.h"
#include "faceage/core/version.h"

namespace faceage::cli {

std::vector<Command>& commands() {
  static std::vector<Command> registered;
  return registered;
}

}  // namespace faceage::cli

int main(int argc, char** argv) {
  // Idle OpenMP workers sleep (core/thread_wait_policy.h): may re-execute once, now.
  faceage::restart_with_sleeping_idle_threads();
  // Logs go to stderr: stdout carries results (--json, JSON lines) that programs read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("faceage"));
  using namespace faceage::cli;
  CLI::App app{"faceage: estimate ages from face photos; train and evaluate age estimators",
               "faceage"};
  // "faceage 0.1.0 (commit 1a2b3c4d5e6f)": a run's record and the models it trains name
  // the build that made them (cmake/FaceageBuildCommit.cmake stamps the commit).
  app.set_version_flag("--version", faceage::build_description());
  // At most one subcommand; "none" is reported after parsing so that an unknown option
  // is named first.
  app.require_subcommand(0, 1);

  std::map<CLI::App*, std::function<int()>> runners;
  for (const Command& command : commands()) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    runners[sub] = command.setup(*sub);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A wrong option or value: one line that names it, exit code 2 (as getopt tools do).
    std::cerr << "faceage: error: " << e.what() << " (see faceage --help)\n";
    return 2;
  }

  if (app.get_subcommands().empty()) {
    std::cerr << "faceage: error: a subcommand is required (see faceage --help)\n";
    return 2;
  }
  faceage::keep_freed_memory_for_reuse();
  try {
    for (CLI::App* sub : app.get_subcommands()) return runners.at(sub)();
  } catch (const faceage::Error& e) {
    std::cerr << "faceage: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "faceage: internal error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
