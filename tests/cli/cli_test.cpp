// The `faceage` command's contract: help everywhere, one-line errors, exit code 2 for a
// wrong option or value.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "faceage/core/version.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::cli_path;
using faceage::testing::run_command;

const std::vector<std::string> kSubcommands = {"train", "eval", "models"};

size_t line_count(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Cli, HelpListsEverySubcommand) {
  const auto result = run_command(cli_path() + " --help");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  for (const std::string& name : kSubcommands)
    EXPECT_NE(result.output.find(name), std::string::npos) << name << " missing:\n" << result.output;
}

TEST(Cli, VersionNamesTheCommitItWasBuiltFrom) {
  const auto result = run_command(cli_path() + " --version");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind(std::string("faceage ") + kVersion + " (commit ", 0), 0u)
      << result.output;
  // The source tree's own commit, when it is a git checkout (a release tarball says "unknown").
  const auto head = run_command("git -C " + faceage::testing::source_dir() +
                                " rev-parse --short=12 HEAD 2>/dev/null");
  if (head.exit_code == 0 && head.output.size() > 12)
    EXPECT_NE(result.output.find("(commit " + head.output.substr(0, 12)), std::string::npos)
        << result.output << " against HEAD " << head.output;
  else
    EXPECT_NE(result.output.find("(commit unknown)"), std::string::npos) << result.output;
}

TEST(Cli, EverySubcommandHasHelp) {
  const auto listing = run_command(cli_path() + " --help").output;
  const size_t start = listing.find("Subcommands:");
  ASSERT_NE(start, std::string::npos);
  std::istringstream lines(listing.substr(start));
  std::string line;
  std::getline(lines, line);
  int checked = 0;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    const auto result = run_command(cli_path() + " " + name + " --help");
    EXPECT_EQ(result.exit_code, 0) << name << ": " << result.output;
    EXPECT_NE(result.output.find("Usage"), std::string::npos) << name;
    ++checked;
  }
  EXPECT_GE(checked, static_cast<int>(kSubcommands.size()));
}

TEST(Cli, FlagsAgreeAcrossCommandsAndOldSpellingsStillWork) {
  // Every command that writes a file or folder takes --out (-o), with --output accepted;
  // every command that runs MTCNN takes --detector-weights, with --weights accepted.
  for (const std::string command : {"predict", "align", "eval", "export", "train", "augment-preview"}) {
    const std::string help = run_command(cli_path() + " " + command + " --help").output;
    EXPECT_NE(help.find("-o,--out,--output"), std::string::npos) << command << ":\n" << help;
  }
  for (const std::string command : {"predict", "align", "detect", "serve"}) {
    const std::string help = run_command(cli_path() + " " + command + " --help").output;
    EXPECT_NE(help.find("--detector-weights"), std::string::npos) << command << ":\n" << help;
  }
  // The old spelling reaches the same option: a missing weights file is named either way.
  for (const std::string spelling : {"--weights", "--detector-weights"}) {
    const auto result = run_command(cli_path() + " detect " + spelling +
                                    " /nonexistent/mtcnn.safetensors /nonexistent/photo.jpg");
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.output.find("/nonexistent/mtcnn.safetensors"), std::string::npos)
        << spelling << ": " << result.output;
  }
}

TEST(Cli, UnknownOptionIsOneLineNamingItWithExitCode2) {
  for (const std::string& args : {std::string("--frobnicate"), std::string("models --frobnicate")}) {
    const auto result = run_command(cli_path() + " " + args);
    EXPECT_EQ(result.exit_code, 2) << args;
    EXPECT_EQ(line_count(result.output), 1u) << result.output;
    EXPECT_NE(result.output.find("--frobnicate"), std::string::npos) << result.output;
  }
}

TEST(Cli, BadValueIsOneLineNamingTheOptionWithExitCode2) {
  const auto result = run_command(cli_path() + " eval --model /nonexistent.safetensors --data .");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_NE(result.output.find("--model"), std::string::npos) << result.output;
  const auto range = run_command(cli_path() + " eval --model " + cli_path() +
                                 " --data . --batch-size 0");
  EXPECT_EQ(range.exit_code, 2);
  EXPECT_NE(range.output.find("--batch-size"), std::string::npos) << range.output;
}

TEST(Cli, MissingSubcommandIsAnError) {
  const auto result = run_command(cli_path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("subcommand"), std::string::npos);
}

TEST(Cli, BadConfigurationKeyIsNamedWithExitCode1) {
  const auto result = run_command(cli_path() + " train --set model.backbone=x");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(line_count(result.output), 1u) << result.output;
  EXPECT_NE(result.output.find("model.backbone"), std::string::npos) << result.output;
}

TEST(Cli, ModelsListsEveryBackbone) {
  const auto result = run_command(cli_path() + " models --json");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* name : {"resnet18", "resnet34", "resnet50"})
    EXPECT_NE(result.output.find(name), std::string::npos) << result.output;
}

}  // namespace
}  // namespace faceage
