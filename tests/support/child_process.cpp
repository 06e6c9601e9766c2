#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <stdexcept>

extern char** environ;

namespace faceage::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& extra_env, const std::string& log_path) {
  std::vector<std::string> env_strings(extra_env);
  for (char** entry = environ; *entry; ++entry) env_strings.emplace_back(*entry);
  std::vector<char*> args, env;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  for (const std::string& var : env_strings) env.push_back(const_cast<char*>(var.c_str()));
  args.push_back(nullptr);
  env.push_back(nullptr);

  // posix_spawn, not fork: the test process has LibTorch's threads running.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int error = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
  if (exit_code_ < 0) kill_hard();
}

void ChildProcess::reap(bool block) {
  int status = 0;
  if (::waitpid(pid_, &status, block ? 0 : WNOHANG) != pid_) return;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool ChildProcess::running() {
  if (exit_code_ < 0) reap(false);
  return exit_code_ < 0;
}

void ChildProcess::kill_hard() {
  if (exit_code_ >= 0) return;
  ::kill(pid_, SIGKILL);
  reap(true);
}

bool ChildProcess::send(int signal) { return exit_code_ < 0 && ::kill(pid_, signal) == 0; }

int ChildProcess::exit_code() const { return exit_code_; }

}  // namespace faceage::testing
