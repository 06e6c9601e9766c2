#include "faceage/parallel/local_launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include "faceage/core/error.h"

namespace faceage {
namespace {

std::atomic<int> pending_signal{0};
extern "C" void remember_signal(int signal) { pending_signal = signal; }

// A port the kernel just gave out on 127.0.0.1 (closed again for rank 0's store to take).
int free_loopback_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) fail("train --nproc: cannot open a socket: {}", std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(socket_fd);
  if (!ok) fail("train --nproc: cannot find a free port on 127.0.0.1: {}", std::strerror(errno));
  return ntohs(address.sin_port);
}

pid_t start_process(const std::vector<std::string>& argv, int rank, int count, int port) {
  std::vector<std::string> env = {"RANK=" + std::to_string(rank),
                                  "LOCAL_RANK=" + std::to_string(rank),
                                  "WORLD_SIZE=" + std::to_string(count),
                                  "LOCAL_WORLD_SIZE=" + std::to_string(count),
                                  "MASTER_ADDR=127.0.0.1",
                                  "MASTER_PORT=" + std::to_string(port)};
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // The environment is built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string entry(*variable);
    bool overridden = false;
    for (const std::string& ours : env)
      overridden |= entry.compare(0, ours.find('=') + 1, ours, 0, ours.find('=') + 1) == 0;
    if (!overridden) environment.push_back(*variable);
  }
  for (std::string& variable : env) environment.push_back(variable.data());
  environment.push_back(nullptr);
  const pid_t launcher = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) fail("train --nproc: cannot start process {}: {}", rank, std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != launcher) ::_exit(127);  // the launcher died before prctl
    ::execve(args[0], args.data(), environment.data());
    ::_exit(127);
  }
  return pid;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

void signal_all(const std::vector<pid_t>& pids, const std::vector<bool>& done, int signal) {
  for (size_t i = 0; i < pids.size(); ++i)
    if (!done[i]) ::kill(pids[i], signal);
}

}  // namespace

int run_local_processes(const std::vector<std::string>& argv, int count) {
  if (count < 1) fail("train --nproc {}: must be at least 1", count);
  if (argv.empty()) fail("train --nproc: no command");
  const int port = free_loopback_port();
  pending_signal = 0;
  auto previous_int = std::signal(SIGINT, remember_signal);
  auto previous_term = std::signal(SIGTERM, remember_signal);

  std::vector<pid_t> pids;
  for (int rank = 0; rank < count; ++rank) pids.push_back(start_process(argv, rank, count, port));
  spdlog::info("started {} training processes (MASTER_ADDR=127.0.0.1 MASTER_PORT={})", count, port);

  std::vector<bool> done(pids.size(), false);
  size_t finished = 0;
  int first_failure = 0;
  bool asked_to_stop = false;
  std::chrono::steady_clock::time_point stop_deadline{};
  while (finished < pids.size()) {
    if (const int signal = pending_signal.exchange(0)) {
      asked_to_stop = true;
      signal_all(pids, done, signal);
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      // A failed process's peers get 30 s to notice and exit by themselves, then are killed.
      if (stop_deadline != std::chrono::steady_clock::time_point{} &&
          std::chrono::steady_clock::now() > stop_deadline)
        signal_all(pids, done, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    for (size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != pid) continue;
      done[i] = true;
      ++finished;
      const int code = exit_code_of(status);
      if (code != 0 && first_failure == 0) {
        first_failure = code;
        if (!asked_to_stop)
          spdlog::error("training process {} exited with {}; stopping the others", i, code);
        signal_all(pids, done, SIGTERM);
        stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      }
    }
  }
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  return first_failure;
}

}  // namespace faceage
