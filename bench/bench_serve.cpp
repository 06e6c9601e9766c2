// bench_serve: a bounded load test of `faceage serve` on 127.0.0.1 only. It starts the
// server (or targets one already running on a loopback port), sends real face photos from
// several concurrent clients, and prints requests/s, p50/p99 latency, the mean batch the
// server formed and the server's peak memory (RSS); then an overload run, many more
// clients than the server queues, showing 503 shedding while memory stays flat.
//
//   build/bin/bench_serve [--clients 1,2,4,8] [--requests 48] [--overload-clients 48]
//                         [--overload-seconds 20] [--port P --server-pid PID]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "faceage/infer/media_inputs.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kHost = "127.0.0.1";  // never anything else: this is a load generator

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Resident memory of a process, MiB (0 when it cannot be read).
double rss_mib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

// Samples a process's RSS every 20 ms; peak() since the last reset().
class RssSampler {
 public:
  explicit RssSampler(pid_t pid) : pid_(pid) {
    if (pid_ > 0) thread_ = std::thread([this] {
      while (!done_) {
        const double now = rss_mib(pid_);
        double seen = peak_;
        while (now > seen && !peak_.compare_exchange_weak(seen, now)) {}
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~RssSampler() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void reset() { peak_ = rss_mib(pid_); }
  double peak() const { return peak_; }
  double now() const { return rss_mib(pid_); }

 private:
  pid_t pid_;
  std::atomic<double> peak_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// `faceage serve` started by the bench, on a free loopback port; SIGTERM at the end.
class Server {
 public:
  Server(const std::string& faceage, std::vector<std::string> args) {
    log_ = fmt::format("/tmp/bench_serve_{}_{}.log", getpid(), counter_++);
    std::vector<std::string> all = {faceage, "serve", "--host", kHost, "--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + faceage);
    posix_spawn_file_actions_destroy(&actions);
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 1800 && port_ == 0; ++i) {
      std::smatch match;
      const std::string text = log();
      if (std::regex_search(text, match, listening)) port_ = std::stoi(match[1]);
      else if (waitpid(pid_, nullptr, WNOHANG) == pid_) throw std::runtime_error("server exited:\n" + text);
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (port_ == 0) throw std::runtime_error("server did not start:\n" + log());
  }
  ~Server() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::remove(log_.c_str());
  }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  static inline int counter_ = 0;
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

nlohmann::json health(int port) {
  httplib::Client client(kHost, port);
  const httplib::Result r = client.Get("/healthz");
  if (!r || r->status != 200) throw std::runtime_error("GET /healthz failed");
  return nlohmann::json::parse(r->body);
}

struct RunResult {
  std::vector<double> latencies;  // seconds, successful requests
  std::map<int, size_t> statuses;  // HTTP status (0: no response) -> count
  std::map<std::string, size_t> failures;  // why there was no response -> count
  double seconds = 0;
};

// `clients` threads, each with its own keep-alive connection, sending photos back to back
// until `requests` are sent in all or `until` passes; after a 503 a client pauses
// `backoff` (a real client would wait Retry-After; the overload run wants pressure).
RunResult drive(int port, const std::vector<std::string>& photos, int clients, size_t requests,
                Clock::time_point until, std::chrono::milliseconds backoff = {}) {
  RunResult result;
  std::mutex mutex;
  std::atomic<size_t> next{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client(kHost, port);
      client.set_keep_alive(true);
      client.set_read_timeout(300, 0);
      for (size_t i; (i = next++) < requests && Clock::now() < until;) {
        const Clock::time_point sent = Clock::now();
        const httplib::Result r = client.Post("/v1/age", photos[i % photos.size()], "image/jpeg");
        const double latency = seconds_since(sent);
        {
          std::lock_guard<std::mutex> lock(mutex);
          ++result.statuses[r ? r->status : 0];
          if (!r) ++result.failures[httplib::to_string(r.error())];
          if (r && r->status == 200) result.latencies.push_back(latency);
        }
        if (r && r->status == 503) std::this_thread::sleep_for(backoff);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  result.seconds = seconds_since(start);
  std::sort(result.latencies.begin(), result.latencies.end());
  return result;
}

double percentile_ms(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * sorted.size()));
  return 1000 * sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string statuses_text(const RunResult& r) {
  std::string text;
  for (const auto& [status, count] : r.statuses)
    if (status) text += fmt::format("{}{} x {}", text.empty() ? "" : ", ", count, status);
  for (const auto& [why, count] : r.failures)
    text += fmt::format("{}{} x no answer ({})", text.empty() ? "" : ", ", count, why);
  return text;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"Load test of faceage serve on 127.0.0.1 with real face photos"};
  std::string faceage = std::string(FACEAGE_BENCH_BINARY_DIR) + "/bin/faceage";
  std::string model = std::string(FACEAGE_BENCH_SOURCE_DIR) + "/models/default-age-model.safetensors";
  std::string data = std::string(FACEAGE_BENCH_DATA_DIR) + "/fairface";
  std::vector<int> levels = {1, 2, 4, 8};
  size_t photo_count = 64, requests = 48;
  int threads = 0, port = 0, server_pid = 0, overload_clients = 48, overload_queue = 4;
  double overload_seconds = 20;
  app.add_option("--faceage", faceage, "The faceage command to start");
  std::string detector = std::string(FACEAGE_BENCH_SOURCE_DIR) + "/models/mtcnn.safetensors";
  app.add_option("--model", model, "Age model")->capture_default_str();
  app.add_option("--detector-weights", detector, "MTCNN weights")->capture_default_str();
  app.add_option("--data", data, "Folder of face photos");
  app.add_option("--photos", photo_count, "Distinct photos sent (round robin)");
  app.add_option("--clients", levels, "Concurrency levels")->delimiter(',');
  app.add_option("--requests", requests, "Requests per concurrency level");
  app.add_option("--threads", threads, "The server's LibTorch threads (0 = every CPU)");
  app.add_option("--port", port, "Target a server already running on 127.0.0.1:PORT instead");
  app.add_option("--server-pid", server_pid, "That server's process id, for its memory");
  app.add_option("--overload-clients", overload_clients, "Clients in the overload run (0: skip it)");
  app.add_option("--overload-seconds", overload_seconds, "Length of the overload run");
  app.add_option("--overload-queue", overload_queue, "--max-queue of the overload server");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> photos;
  for (const faceage::MediaInput& input : faceage::list_media({data}))
    if (input.kind == faceage::MediaKind::image && photos.size() < photo_count)
      photos.push_back(file_bytes(input.path));
  if (photos.empty()) {
    std::cerr << "bench_serve: no photos in " << data << "\n";
    return 1;
  }
  const std::vector<std::string> server_args = {"--threads", std::to_string(threads), "--model", model,
                                                "--detector-weights", detector};

  std::unique_ptr<Server> started;
  const bool own_server = port == 0;
  if (own_server) {
    started = std::make_unique<Server>(faceage, server_args);
    port = started->port();
    server_pid = started->pid();
  }
  std::cout << fmt::format("{} FairFace photos ({}), server on {}:{}; {} requests per level\n\n",
                           photos.size(), data, kHost, port, requests);
  {
    RssSampler rss(server_pid);
    std::cout << fmt::format("server RSS when idle: {:.0f} MiB\n\n", rss.now());
    std::cout << "| clients | requests/s | p50 ms | p99 ms | mean batch | answers | server peak RSS MiB |\n"
                 "|---:|---:|---:|---:|---:|---|---:|\n";
    drive(port, photos, 1, 2, Clock::time_point::max());  // warm-up
    for (int clients : levels) {
      const nlohmann::json before = health(port);
      rss.reset();
      const RunResult r = drive(port, photos, clients, requests, Clock::time_point::max());
      const nlohmann::json after = health(port);
      const double batches = after["batches"].get<double>() - before["batches"].get<double>();
      const double served = after["requests"].get<double>() - before["requests"].get<double>();
      std::cout << fmt::format("| {} | {:.2f} | {:.0f} | {:.0f} | {:.2f} | {} | {:.0f} |\n", clients,
                               r.latencies.size() / r.seconds, percentile_ms(r.latencies, 0.5),
                               percentile_ms(r.latencies, 0.99), batches > 0 ? served / batches : 0.0,
                               statuses_text(r), rss.peak());
      std::cout.flush();
    }
  }
  started.reset();
  if (overload_clients <= 0 || !own_server) return 0;

  // Overload: far more clients than places in the queue, for a fixed time.
  std::vector<std::string> overload_args = server_args;
  overload_args.insert(overload_args.end(), {"--max-queue", std::to_string(overload_queue),
                                             "--http-threads", std::to_string(overload_clients + 8)});
  Server server(faceage, overload_args);
  RssSampler rss(server.pid());
  drive(server.port(), photos, 1, 2, Clock::time_point::max());  // warm-up
  const double idle = rss.now();
  rss.reset();
  std::vector<double> quarters;
  std::atomic<bool> running{true};
  std::thread watcher([&] {  // RSS at each quarter of the run: flat means bounded
    for (int q = 1; q <= 4 && running; ++q) {
      std::this_thread::sleep_for(std::chrono::duration<double>(overload_seconds / 4));
      quarters.push_back(rss.now());
    }
  });
  const RunResult r = drive(server.port(), photos, overload_clients, SIZE_MAX,
                            Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(overload_seconds)),
                            std::chrono::milliseconds(50));
  running = false;
  watcher.join();
  const nlohmann::json stats = health(server.port());
  std::string quarter_text;
  for (double q : quarters) quarter_text += fmt::format(" {:.0f}", q);
  std::cout << fmt::format(
      "\noverload: {} clients (a 50 ms pause after a 503) for {:.0f} s against --max-queue {}: {}; "
      "{:.2f} answered requests/s, "
      "p50 {:.0f} ms, p99 {:.0f} ms of the 200s; server RSS idle {:.0f} MiB, peak {:.0f} MiB, "
      "at each quarter of the run{} MiB; {} photos in {} batches\n",
      overload_clients, r.seconds, overload_queue, statuses_text(r),
      r.latencies.size() / r.seconds, percentile_ms(r.latencies, 0.5), percentile_ms(r.latencies, 0.99),
      idle, rss.peak(), quarter_text, stats["requests"].get<size_t>(), stats["batches"].get<size_t>());
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench_serve: " << e.what() << "\n";
    return 1;
  }
}
