#include "faceage/serve/batch_queue.h"

#include <algorithm>
#include <stdexcept>

#include "faceage/core/error.h"

namespace faceage {

BatchQueue::BatchQueue(PredictBatch predict, BatchQueueOptions options)
    : predict_(std::move(predict)), options_(options) {
  if (options_.max_batch < 1 || options_.max_queue < 1)
    fail("batch queue: max_batch {} and max_queue {} must be at least 1", options_.max_batch,
         options_.max_queue);
  worker_ = std::thread([this] { work(); });
}

BatchQueue::~BatchQueue() { stop(); }

BatchQueue::Ticket::~Ticket() {
  if (queue_) queue_->release_place();
}

void BatchQueue::release_place() {
  std::lock_guard<std::mutex> lock(mutex_);
  --places_taken_;
}

std::optional<BatchQueue::Ticket> BatchQueue::reserve() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || places_taken_ >= static_cast<size_t>(options_.max_queue)) {
    ++stats_.rejected;
    return std::nullopt;
  }
  ++places_taken_;
  return Ticket(this);
}

std::future<BatchQueue::Faces> BatchQueue::submit(Ticket ticket, cv::Mat image) {
  if (ticket.queue_ != this) throw std::logic_error("BatchQueue::submit: a ticket of another queue");
  Item item{std::move(image), {}};
  std::future<Faces> result = item.result.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (worker_done_) {
      // The worker has run its last batch: nobody would ever answer.
      item.result.set_exception(std::make_exception_ptr(Error("the server is shutting down")));
      return result;
    }
    ticket.queue_ = nullptr;  // the place now belongs to the waiting item
    waiting_.push_back(std::move(item));
    ++stats_.requests;
  }
  wake_.notify_one();
  return result;
}

BatchStats BatchQueue::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  BatchStats s = stats_;
  s.queued = places_taken_;
  return s;
}

void BatchQueue::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

void BatchQueue::work() {
  const size_t max_batch = static_cast<size_t>(options_.max_batch);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) {  // stopping, and nothing left to run
      worker_done_ = true;
      return;
    }
    // Photos of requests arriving together get a moment to join this batch.
    const auto deadline = std::chrono::steady_clock::now() + options_.batch_wait;
    wake_.wait_until(lock, deadline, [&] { return stopping_ || waiting_.size() >= max_batch; });
    const size_t count = std::min(waiting_.size(), max_batch);
    std::vector<Item> batch(std::make_move_iterator(waiting_.begin()),
                            std::make_move_iterator(waiting_.begin() + count));
    waiting_.erase(waiting_.begin(), waiting_.begin() + count);
    places_taken_ -= count;  // in the model now: places free for new requests
    lock.unlock();
    run_batch(batch);
    lock.lock();
    ++stats_.batches;
    stats_.largest_batch = std::max(stats_.largest_batch, count);
  }
}

void BatchQueue::run_batch(std::vector<Item>& batch) {
  std::vector<cv::Mat> images;
  for (Item& item : batch) images.push_back(item.image);
  std::vector<Faces> faces;
  try {
    faces = predict_(images);
    if (faces.size() != batch.size())
      fail("the predictor gave {} results for {} photos", faces.size(), batch.size());
  } catch (...) {
    // One failure fails the whole call: every request of it hears about it.
    for (Item& item : batch) item.result.set_exception(std::current_exception());
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) batch[i].result.set_value(std::move(faces[i]));
}

}  // namespace faceage
