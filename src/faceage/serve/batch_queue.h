#pragma once
// BatchQueue: photos from concurrent requests go through the model together. One worker
// thread takes every photo waiting (up to max_batch, waiting up to batch_wait for more to
// arrive when fewer are there) and makes one predictor call for them; detection runs per
// photo, but the age network runs all their faces as one batch.
//
// The queue is bounded: a request first reserves a place (reserve()), and only then
// decodes its photo, so at most max_queue decoded photos wait and max_batch are in the
// model. When no place is free the request is turned away at once (503), rather than
// memory and latency growing without bound under overload.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/infer/predictor.h"

namespace faceage {

struct BatchQueueOptions {
  int max_batch = 8;
  int max_queue = 32;
  std::chrono::microseconds batch_wait{2000};
};

struct BatchStats {
  size_t requests = 0;       // photos submitted
  size_t batches = 0;        // predictor calls made
  size_t largest_batch = 0;
  size_t rejected = 0;       // reservations refused because the queue was full
  size_t queued = 0;         // places taken now: reserved or waiting, not yet in the model
};

class BatchQueue {
 public:
  using Faces = std::vector<FacePrediction>;
  // One result per photo, in order (AgePredictor::predict of several photos).
  using PredictBatch = std::function<std::vector<Faces>(const std::vector<cv::Mat>&)>;

  BatchQueue(PredictBatch predict, BatchQueueOptions options);
  ~BatchQueue();  // stop()
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // A place in the queue; given back when dropped unused.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : queue_(other.queue_) { other.queue_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    friend class BatchQueue;
    explicit Ticket(BatchQueue* queue) : queue_(queue) {}
    BatchQueue* queue_;
  };

  // Empty when the queue is full or stopping.
  std::optional<Ticket> reserve();
  // The photo's faces once its batch has run; the predictor's exception if it threw.
  std::future<Faces> submit(Ticket ticket, cv::Mat image);

  BatchStats stats() const;
  // Runs what is waiting, then ends the worker; later submissions fail. Idempotent.
  void stop();

 private:
  struct Item {
    cv::Mat image;
    std::promise<Faces> result;
  };

  void release_place();
  void work();
  void run_batch(std::vector<Item>& batch);

  const PredictBatch predict_;
  const BatchQueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Item> waiting_;
  size_t places_taken_ = 0;  // reserved tickets + waiting_ items
  bool stopping_ = false;
  bool worker_done_ = false;  // the worker has returned: submissions fail at once
  BatchStats stats_;
  std::thread worker_;
};

}  // namespace faceage
