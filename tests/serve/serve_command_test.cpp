// `faceage serve` as a process: it says where it listens, serves, refuses a taken port,
// and on SIGTERM finishes and exits 0.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "run_command.h"
#include "serve_test_support.h"

extern char** environ;

namespace faceage::testing {
namespace {

// `faceage serve ARGS` in the background, its stderr into a file.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, const std::string& log) : log_(log) {
    std::vector<std::string> argv_strings = {cli_path(), "serve"};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ServeProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
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
      if (has_exited()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
  }
  bool has_exited() {
    if (!exited_ && waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return exited_;
  }
  // The exit code, or -1 if it has not exited within `seconds`.
  int wait_exit(int seconds) {
    for (int i = 0; i < seconds * 10 && !has_exited(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return exited_ && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  pid_t pid() const { return pid_; }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

TEST(ServeCommand, ServesOnLoopbackRefusesATakenPortAndStopsCleanlyOnSigterm) {
  const std::string model = small_model_file("serve_cli_model");
  const std::string dir = temp_dir("serve_cli");
  ServeProcess server({"--model", model, "--detector-weights", mtcnn_weights(), "--port", "0",
                       "--threads", "1"},
                      dir + "/serve.log");
  ASSERT_GT(server.pid(), 0);
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

  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  EXPECT_EQ(server.wait_exit(60), 0) << server.log();
  EXPECT_NE(server.log().find("SIGTERM: finishing the requests in flight"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("stopped; 1 photos in 1 batches"), std::string::npos) << server.log();
}

TEST(ServeCommand, AWrongLimitIsAnOptionError) {
  const CommandResult result = run_command(cli_path() + " serve --max-batch 0");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--max-batch"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace faceage::testing
