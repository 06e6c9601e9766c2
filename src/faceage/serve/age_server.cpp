#include "faceage/serve/age_server.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

#include "faceage/core/error.h"
#include "faceage/model/model_file.h"
#include "faceage/serve/connection_threads.h"
#include "faceage/serve/http_routes.h"

namespace faceage {

nlohmann::json model_description(const AgePredictor& predictor) {
  // The file name only: the server's directory layout is none of a client's business.
  return {{"file", std::filesystem::path(predictor.model_path()).filename().string()},
          {"model", to_json(predictor.model())}};
}

struct AgeServer::Impl {
  BatchQueue queue;
  ApiContext api;
  ConnectionGuard connections;  // outlives http: its accept loop ends first
  httplib::Server http;
  std::atomic<bool> listening{false}, stop_requested{false};
  int listening_socket = -1;

  Impl(BatchQueue::PredictBatch predict, nlohmann::json model, const ServeOptions& options)
      : queue(std::move(predict), {options.max_batch, options.max_queue, options.batch_wait}),
        connections({options.max_connections, std::chrono::seconds(options.request_timeout_s),
                     options.retry_after_s}) {
    api.queue = &queue;
    api.connections = &connections;
    api.options = options;
    api.model = std::move(model);
    // A thread per open connection (ConnectionThreads), so idle and slow clients never
    // make a health check or a photo wait for a thread; the guard caps the connections.
    const size_t ready = static_cast<size_t>(http_thread_count(options));
    const size_t most = static_cast<size_t>(options.max_connections);
    http.new_task_queue = [this, ready, most] { return new ConnectionThreads(connections, ready, most); };
    // httplib refuses a larger Content-Length before reading; read_upload bounds the rest.
    http.set_payload_max_length(options.max_body_bytes);
    http.set_read_timeout(options.read_timeout_s, 0);
    // httplib's default adds SO_REUSEPORT, with which a second server on the same port
    // starts without error and the kernel splits the connections between the two.
    // SO_REUSEADDR alone still allows a restart while old connections linger in TIME_WAIT.
    // Called for the listening socket only: the guard admits what is accepted on it.
    http.set_socket_options([this](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      connections.watch_listener(sock);
      listening_socket = sock;
    });
    install_routes(http, api);
  }
};

AgeServer::AgeServer(const AgePredictor& predictor, const ServeOptions& options)
    : AgeServer([&predictor](const std::vector<cv::Mat>& images) { return predictor.predict(images); },
                model_description(predictor), options) {}

AgeServer::AgeServer(BatchQueue::PredictBatch predict, nlohmann::json model,
                     const ServeOptions& options) {
  validate(options);
  impl_ = std::make_unique<Impl>(std::move(predict), std::move(model), options);
}

AgeServer::~AgeServer() {
  stop();
  impl_->queue.stop();
}

int AgeServer::bind() {
  const ServeOptions& o = impl_->api.options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                               : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) fail("serve: cannot listen on {}:{} (address in use, or not this machine's)", o.host, o.port);
  // httplib 0.11 listens with a backlog of 5: a burst of connections overflows it and the
  // kernel drops their handshakes, which clients retry only after 1, 3, 7 s (measured:
  // 550 connections took 51 s to open, /healthz stuck behind them). listen() again on
  // the bound socket only raises the backlog (to net.core.somaxconn at most).
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, SOMAXCONN);
  return port;
}

void AgeServer::listen() {
  impl_->listening = true;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  impl_->listening = false;
  // Every connection has been answered; the worker has nothing left to wait for.
  impl_->queue.stop();
}

void AgeServer::stop() {
  impl_->stop_requested = true;
  // httplib's stop() does nothing before its accept loop runs: wait for it to start.
  while (impl_->listening && !impl_->http.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->http.stop();
}

BatchStats AgeServer::stats() const { return impl_->queue.stats(); }
ConnectionStats AgeServer::connection_stats() const { return impl_->connections.stats(); }
const ServeOptions& AgeServer::options() const { return impl_->api.options; }

}  // namespace faceage
