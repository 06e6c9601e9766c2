// `faceage serve` as a process: it says where it listens, serves, refuses a taken port,
// and on SIGTERM finishes and exits 0.
#include <signal.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "run_command.h"
#include "serve_test_support.h"

namespace faceage::testing {
namespace {

// `faceage serve ARGS` in the background, its output into a file.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, const std::string& log)
      : log_(log), child_(serve_argv(args), {}, log) {}
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The port from "listening on http://127.0.0.1:PORT", once the server is ready; 0 if
  // it exited or took over 120 s.
  int wait_for_port() {
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 1200; ++i) {
      std::smatch match;
      const std::string text = log();
      if (std::regex_search(text, match, listening)) return std::stoi(match[1]);
      if (!child_.running()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }
  // The exit code, or -1 if it has not exited within `seconds`.
  int wait_exit(int seconds) {
    for (int i = 0; i < seconds * 10 && child_.running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return child_.exit_code();
  }
  bool send(int signal) { return child_.send(signal); }

 private:
  static std::vector<std::string> serve_argv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {cli_path(), "serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  std::string log_;
  ChildProcess child_;
};

TEST(ServeCommand, ServesOnLoopbackRefusesATakenPortAndStopsCleanlyOnSigterm) {
  const std::string model = small_model_file("serve_cli_model");
  const std::string dir = temp_dir("serve_cli");
  ServeProcess server({"--model", model, "--detector-weights", mtcnn_weights(), "--port", "0",
                       "--threads", "1"},
                      dir + "/serve.log");
  const int port = server.wait_for_port();  // the default host is 127.0.0.1
  ASSERT_GT(port, 0) << server.log();

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120, 0);
  const httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const httplib::Result ages = client.Post("/v1/age", file_bytes(fairface_photo(1)), "image/jpeg");
  ASSERT_TRUE(ages);
  EXPECT_EQ(ages->status, 200) << ages->body;
  EXPECT_EQ(nlohmann::json::parse(ages->body)["faces"].size(), 2u);

  // A second server on the same port: one line saying so, exit code 1.
  // (`timeout`: were the port shared, the second server would run on and never return.)
  const CommandResult taken =
      run_command("timeout 120 " + cli_path() + " serve --threads 1 --model " + model +
                  " --detector-weights " + mtcnn_weights() + " --port " + std::to_string(port));
  EXPECT_EQ(taken.exit_code, 1) << taken.output;
  EXPECT_NE(taken.output.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << taken.output;

  ASSERT_TRUE(server.send(SIGTERM));
  EXPECT_EQ(server.wait_exit(60), 0) << server.log();
  EXPECT_NE(server.log().find("SIGTERM: finishing the requests in flight"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("stopped; 1 photos in 1 batches"), std::string::npos) << server.log();
}

// The CPU seconds (user + system) a process has used, from /proc/PID/stat; -1 if gone.
double cpu_seconds_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto end_of_name = text.rfind(')');
  if (end_of_name == std::string::npos) return -1;
  std::istringstream fields(text.substr(end_of_name + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state; 14 utime, 15 stime
    if (i == 14) utime = std::stod(field);
    if (i == 15) { stime = std::stod(field); break; }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// This test's child whose command line holds `word` (the serve process; re-executing
// itself for the wait policy keeps its PID).
int child_pid_with(const std::string& word) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto end_of_name = text.rfind(')');
    if (end_of_name == std::string::npos) continue;
    std::istringstream fields(text.substr(end_of_name + 2));
    std::string state;
    int parent = 0;
    fields >> state >> parent;
    if (parent != getpid()) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(word) != std::string::npos) return std::stoi(name);
  }
  return -1;
}

TEST(ServeCommand, AnIdleServerUsesNearlyNoCpuAfterAnsweringARequest) {
  // Default threads (every usable CPU), so the model's thread pools exist and would spin
  // if idle workers spun; after one photo, 5 s of idleness cost well under 0.5 CPU s.
  const std::string model = small_model_file("serve_idle_model");
  const std::string dir = temp_dir("serve_idle");
  ServeProcess server({"--model", model, "--detector-weights", mtcnn_weights(), "--port", "0"},
                      dir + "/serve.log");
  const int port = server.wait_for_port();
  ASSERT_GT(port, 0) << server.log();
  const int pid = child_pid_with("serve_idle_model");
  ASSERT_GT(pid, 0);
  {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(120, 0);
    const httplib::Result ages = client.Post("/v1/age", file_bytes(fairface_photo(1)), "image/jpeg");
    ASSERT_TRUE(ages);
    ASSERT_EQ(ages->status, 200) << ages->body;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double before = cpu_seconds_of(pid);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const double used = cpu_seconds_of(pid) - before;
  EXPECT_GE(before, 0);
  EXPECT_LT(used, 0.5) << "CPU seconds of an idle server over 5 s";
  ASSERT_TRUE(server.send(SIGTERM));
  EXPECT_EQ(server.wait_exit(60), 0) << server.log();
}

TEST(ServeCommand, AWrongLimitIsAnOptionError) {
  const CommandResult result = run_command(cli_path() + " serve --max-batch 0");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--max-batch"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace faceage::testing
