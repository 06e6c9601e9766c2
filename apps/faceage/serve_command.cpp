// `faceage serve --model M --port P`: the age estimator as an HTTP service (JSON), with
// requests arriving together batched through the model; see docs/deploy.md. Stops
// gracefully on SIGINT/SIGTERM: no new connections, the requests in flight are answered.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "command.h"
#include "predictor_cli.h"
#include "faceage/core/error.h"
#include "faceage/infer/predictor.h"
#include "faceage/serve/age_server.h"

namespace faceage::cli {
namespace {

struct ServeSettings {
  ServeOptions server;
  PredictorOptions predictor;
  int batch_wait_us = 2000;
};

// Where the signal handler writes; -1 when no server runs.
volatile sig_atomic_t signal_pipe_write = -1;

void write_byte(int fd, unsigned char byte) {
  [[maybe_unused]] const ssize_t written = write(fd, &byte, 1);  // async-signal-safe
}

extern "C" void on_stop_signal(int signal) {
  const int saved = errno;
  if (signal_pipe_write >= 0) write_byte(signal_pipe_write, static_cast<unsigned char>(signal));
  errno = saved;
}

// SIGINT/SIGTERM only write their number into a pipe (about all a signal handler may
// safely do, whichever thread it lands on); a watcher thread reads it and stops the
// server. Installed before the model loads, so a signal during start-up is not lost: the
// server then stops as soon as it would start. A second signal ends the process at once.
class StopOnSignal {
 public:
  StopOnSignal() {
    if (pipe(fds_) != 0) fail("serve: cannot create the signal pipe");
    signal_pipe_write = fds_[1];
    struct sigaction action = {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  }
  ~StopOnSignal() {
    unwatch();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    signal_pipe_write = -1;
    close(fds_[0]);
    close(fds_[1]);
  }

  void watch(AgeServer& server) {
    watcher_ = std::thread([this, &server] {
      for (int count = 0;; ++count) {
        unsigned char number = 0;
        if (read(fds_[0], &number, 1) != 1 || number == 0) return;
        if (count > 0) {
          std::cerr << "faceage serve: second signal: exiting without finishing\n";
          std::_Exit(1);
        }
        std::cerr << fmt::format("faceage serve: {}: finishing the requests in flight\n",
                                 number == SIGINT ? "SIGINT" : "SIGTERM");
        server.stop();
      }
    });
  }

  // Ends the watcher; the server may be destroyed after this.
  void unwatch() {
    if (!watcher_.joinable()) return;
    write_byte(fds_[1], 0);  // not a signal number: the watcher returns
    watcher_.join();
  }

 private:
  int fds_[2] = {-1, -1};
  std::thread watcher_;
};

// Each open connection takes two descriptors (httplib's and the guard's duplicate): raise
// the soft limit towards the hard one, and if even that is short, admit fewer connections
// than asked (said at start) rather than fail accept() under load.
void fit_descriptors(ServeOptions& o) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(o.max_connections) * 2 + 256;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur < wanted) {
    const int fits = static_cast<int>((limit.rlim_cur > 256 ? limit.rlim_cur - 256 : 2) / 2);
    std::cerr << fmt::format("faceage serve: --max-connections {} needs {} file descriptors, the "
                             "limit is {}: admitting {}\n",
                             o.max_connections, wanted, limit.rlim_cur, std::max(1, fits));
    o.max_connections = std::max(1, fits);
  }
}

int run_serve(ServeSettings s) {
  StopOnSignal stop_on_signal;
  s.server.batch_wait = std::chrono::microseconds(s.batch_wait_us);
  validate(s.server);
  fit_descriptors(s.server);
  const AgePredictor predictor(s.predictor);
  AgeServer server(predictor, s.server);
  const int port = server.bind();
  stop_on_signal.watch(server);
  std::cerr << fmt::format(
      "faceage serve: listening on http://{}:{} (model {}; up to {} connections, {} s per request, "
      "batches of up to {}, queue {}, body {} bytes, {} pixels)\n",
      s.server.host, port, predictor.model_path(), s.server.max_connections,
      s.server.request_timeout_s, s.server.max_batch, s.server.max_queue, s.server.max_body_bytes,
      s.server.max_pixels);
  server.listen();
  stop_on_signal.unwatch();
  const BatchStats stats = server.stats();
  const ConnectionStats connections = server.connection_stats();
  std::cerr << fmt::format("faceage serve: stopped; {} photos in {} batches, {} turned away (queue full); "
                           "{} connections, {} refused (too many open), {} timed out\n",
                           stats.requests, stats.batches, stats.rejected, connections.accepted,
                           connections.refused, connections.timed_out);
  return 0;
}

const RegisterCommand kServe{
    "serve", "Serve age estimation over HTTP (POST /v1/age, GET /healthz, GET /v1/model; a demo page at /)",
    [](CLI::App& app) {
      auto s = std::make_shared<ServeSettings>();
      ServeOptions& o = s->server;
      add_predictor_options(app, s->predictor);
      app.add_option("--host", o.host, "Address to listen on (0.0.0.0: every interface)")
          ->capture_default_str();
      app.add_option("--port", o.port, "Port (0: any free port, printed at start)")
          ->check(CLI::Range(0, 65535))->capture_default_str();
      app.add_option("--http-threads", o.http_threads,
                     "Connection threads started at once; more start on demand, one per open "
                     "connection (0: --max-queue + --max-batch + 8)")
          ->check(CLI::Range(0, 4096))->capture_default_str();
      app.add_option("--max-connections", o.max_connections,
                     "Connections open at once; past it 503 with Retry-After and close")
          ->check(CLI::Range(1, 100000))->capture_default_str();
      app.add_option("--request-timeout", o.request_timeout_s,
                     "Seconds a whole request may take to arrive (headers and body); past it 408")
          ->check(CLI::Range(1, 3600))->capture_default_str();
      app.add_option("--max-body-bytes", o.max_body_bytes, "Largest request body (413 past it)")
          ->check(CLI::Range(size_t{1}, size_t{1} << 34))->capture_default_str();
      app.add_option("--max-pixels", o.max_pixels, "Largest image, width x height (413 past it)")
          ->check(CLI::Range(int64_t{1}, int64_t{1} << 34))->capture_default_str();
      app.add_option("--max-batch", o.max_batch, "Photos per model call")
          ->check(CLI::Range(1, 1024))->capture_default_str();
      app.add_option("--max-queue", o.max_queue,
                     "Requests waiting for the model; past it 503 with Retry-After")
          ->check(CLI::Range(1, 100000))->capture_default_str();
      app.add_option("--batch-wait-us", s->batch_wait_us,
                     "How long a batch that is not full waits for more photos, microseconds")
          ->check(CLI::Range(0, 1000000))->capture_default_str();
      app.add_option("--read-timeout", o.read_timeout_s, "Seconds a client may stall while sending")
          ->check(CLI::Range(1, 3600))->capture_default_str();
      return std::function<int()>([s] { return run_serve(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
