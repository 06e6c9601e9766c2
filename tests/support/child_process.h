#pragma once
// A child process the test can kill (run_command only runs to completion): started with
// extra environment variables, its stdout and stderr going to a log file.
#include <sys/types.h>

#include <string>
#include <vector>

namespace faceage::testing {

class ChildProcess {
 public:
  // argv[0] is the program's path. Throws std::runtime_error if it cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               const std::string& log_path);
  ~ChildProcess();  // kills and reaps the child if the test did not
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();           // false once it has exited (then exit_code() is known)
  void kill_hard();         // SIGKILL, then reap
  bool send(int signal);    // e.g. SIGTERM; false if it could not be sent
  int exit_code() const;    // the exit status, or 128 + signal; -1 while running

 private:
  void reap(bool block);
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace faceage::testing
