// `faceage serve --model M --port P`: the age estimator as an HTTP service (JSON), with
// requests arriving together batched through the model; see docs/deploy.md. Stops
// gracefully on SIGINT/SIGTERM: no new connections, the requests in flight are answered.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "command.h"
#include "faceage/infer/predictor.h"
#include "faceage/serve/age_server.h"

namespace faceage::cli {
namespace {

struct ServeSettings {
  ServeOptions server;
  std::string model, detector_weights, device = "auto";
  int threads = 0, batch_wait_us = 2000;
  double min_face = 20, interval = 0.9;
};

sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

// SIGINT/SIGTERM are blocked in every thread (run_serve blocks them before any thread
// starts, and threads inherit the mask) and taken by one watcher with sigwait, which may
// then call anything: a plain signal handler could not safely stop the server. A second
// signal while the requests in flight finish ends the process at once.
class StopOnSignal {
 public:
  explicit StopOnSignal(AgeServer& server) {
    watcher_ = std::thread([this, &server] {
      const sigset_t signals = stop_signals();
      for (int count = 0;; ++count) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (done_) return;
        if (count > 0) {
          std::cerr << "faceage serve: second signal: exiting without finishing\n";
          std::_Exit(1);
        }
        std::cerr << fmt::format("faceage serve: {}: finishing the requests in flight\n",
                                 signal == SIGINT ? "SIGINT" : "SIGTERM");
        server.stop();
      }
    });
  }
  ~StopOnSignal() {
    done_ = true;
    pthread_kill(watcher_.native_handle(), SIGTERM);  // wakes the watcher's sigwait
    watcher_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

int run_serve(ServeSettings s) {
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: all inherit it
  s.server.batch_wait = std::chrono::microseconds(s.batch_wait_us);
  validate(s.server);
  PredictorOptions p;
  p.model_path = s.model;
  p.detector_weights = s.detector_weights;
  p.detection.min_face_size = s.min_face;
  p.interval_mass = s.interval;
  p.device = s.device;
  p.threads = s.threads;
  const AgePredictor predictor(p);
  AgeServer server(predictor, s.server);
  const int port = server.bind();
  {
    StopOnSignal stop_on_signal(server);
    std::cerr << fmt::format(
        "faceage serve: listening on http://{}:{} (model {}; {} HTTP threads, batches of up to "
        "{}, queue {}, body {} bytes, {} pixels)\n",
        s.server.host, port, predictor.model_path(), s.server.http_threads, s.server.max_batch,
        s.server.max_queue, s.server.max_body_bytes, s.server.max_pixels);
    server.listen();
  }
  const BatchStats stats = server.stats();
  std::cerr << fmt::format("faceage serve: stopped; {} photos in {} batches, {} turned away (queue full)\n",
                           stats.requests, stats.batches, stats.rejected);
  return 0;
}

const RegisterCommand kServe{
    "serve", "Serve age estimation over HTTP (POST /v1/age, GET /healthz, GET /v1/model)",
    [](CLI::App& app) {
      auto s = std::make_shared<ServeSettings>();
      ServeOptions& o = s->server;
      app.add_option("--model", s->model, "Age model (.safetensors); default: the bundled model");
      app.add_option("--detector-weights", s->detector_weights, "MTCNN weights (.safetensors)");
      app.add_option("--host", o.host, "Address to listen on (0.0.0.0: every interface)")
          ->capture_default_str();
      app.add_option("--port", o.port, "Port (0: any free port, printed at start)")
          ->check(CLI::Range(0, 65535))->capture_default_str();
      app.add_option("--http-threads", o.http_threads, "Connections served at once")
          ->check(CLI::Range(1, 1024))->capture_default_str();
      app.add_option("--threads", s->threads, "LibTorch threads (0 = every logical CPU)")
          ->check(CLI::Range(0, 256));
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
      app.add_option("--min-face", s->min_face, "Smallest face searched for, pixels")
          ->check(CLI::Range(12.0, 10000.0));
      app.add_option("--interval", s->interval, "Mass of the reported age interval")
          ->check(CLI::Range(0.01, 0.99));
      app.add_option("--device", s->device, "cpu, cuda or auto")
          ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
      return std::function<int()>([s] { return run_serve(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
