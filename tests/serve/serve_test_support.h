#pragma once
// Shared by the serve tests: an AgeServer running on an ephemeral loopback port in a
// thread of the test, a client for it, and a predictor that can be held mid-batch.
#include <condition_variable>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "../infer/infer_test_support.h"
#include "faceage/infer/predictor.h"
#include "faceage/serve/age_server.h"

namespace faceage::testing {

// Named explicitly: the lookup beside the source tree depends on the working directory
// when the build rewrote source paths to relative ones (CCACHE_BASEDIR).
inline std::string mtcnn_weights() { return source_dir() + "/models/mtcnn.safetensors"; }

// The small untrained test model (its ages are plumbing checks, not estimates).
inline const AgePredictor& serve_predictor() {
  static const AgePredictor predictor = [] {
    PredictorOptions options;
    options.model_path = small_model_file("serve_model");
    options.detector_weights = mtcnn_weights();
    options.threads = 1;
    return AgePredictor(options);
  }();
  return predictor;
}

inline BatchQueue::PredictBatch predict_with(const AgePredictor& predictor) {
  return [&predictor](const std::vector<cv::Mat>& images) { return predictor.predict(images); };
}

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An AgeServer listening on 127.0.0.1 and a free port until destroyed.
class RunningServer {
 public:
  RunningServer(BatchQueue::PredictBatch predict, ServeOptions options,
                nlohmann::json model = {{"file", "test"}})
      : server_(std::move(predict), std::move(model), any_port(options)) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.listen(); });
  }
  explicit RunningServer(ServeOptions options = {})
      : RunningServer(predict_with(serve_predictor()), options,
                      model_description(serve_predictor())) {}
  ~RunningServer() { stop(); }

  // A fresh client (httplib clients are not for sharing between threads).
  std::unique_ptr<httplib::Client> client() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_read_timeout(120, 0);
    client->set_write_timeout(60, 0);
    return client;
  }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  AgeServer& server() { return server_; }
  int port() const { return port_; }

 private:
  static ServeOptions any_port(ServeOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  AgeServer server_;
  int port_ = 0;
  std::thread thread_;
};

// Wraps a batch function so a test can hold the first batch inside the model until it
// lets go, and see when it got there.
class Gate {
 public:
  BatchQueue::PredictBatch wrap(BatchQueue::PredictBatch inner) {
    return [this, inner](const std::vector<cv::Mat>& images) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ++entered_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
      }
      return inner(images);
    };
  }
  // Waits until `count` batches have reached the model (or 60 s).
  bool wait_entered(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return entered_ >= count; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

// Declared after the server: opens the gate before the server stops, so a test that ends
// early (a failed ASSERT) never leaves a request, and the server's shutdown, waiting on it.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

// Polls until pred() or 60 s pass.
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 6000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// POST /v1/age of `bytes` from a thread of its own (the photo is copied).
inline std::future<httplib::Result> post_async(const RunningServer& server,
                                               const std::string& bytes) {
  return std::async(std::launch::async, [&server, bytes] {
    return server.client()->Post("/v1/age", bytes, "image/jpeg");
  });
}

}  // namespace faceage::testing
