#pragma once
// AgeServer: `faceage serve` as a library object: an HTTP server (cpp-httplib) with the
// routes of http_routes.h in front of a BatchQueue that feeds an AgePredictor.
//
//   faceage::AgeServer server(predictor, options);
//   server.bind();      // throws faceage::Error when the address is taken
//   server.listen();    // serves until stop() (from another thread or a signal watcher)
#include <atomic>
#include <memory>

#include <nlohmann/json.hpp>

#include "faceage/infer/predictor.h"
#include "faceage/serve/batch_queue.h"
#include "faceage/serve/connection_guard.h"
#include "faceage/serve/serve_options.h"

namespace faceage {

// GET /v1/model's answer: the model file's name and its metadata (network, preprocessing,
// formulation, card).
nlohmann::json model_description(const AgePredictor& predictor);

class AgeServer {
 public:
  // The predictor must outlive the server.
  AgeServer(const AgePredictor& predictor, const ServeOptions& options);
  // Any batch function (tests wrap the predictor to hold or count batches).
  AgeServer(BatchQueue::PredictBatch predict, nlohmann::json model, const ServeOptions& options);
  ~AgeServer();
  AgeServer(const AgeServer&) = delete;
  AgeServer& operator=(const AgeServer&) = delete;

  // Binds options.host:options.port (port 0: a free port); returns the port bound.
  int bind();
  // Serves until stop(); returns once the requests in flight have been answered.
  void listen();
  // Thread-safe; stops accepting, lets listen() finish the requests in flight. Idempotent.
  void stop();

  BatchStats stats() const;
  ConnectionStats connection_stats() const;  // open, refused past the cap, timed out
  const ServeOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceage
