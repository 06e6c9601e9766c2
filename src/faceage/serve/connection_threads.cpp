#include "faceage/serve/connection_threads.h"

#include <algorithm>

namespace faceage {

ConnectionThreads::ConnectionThreads(ConnectionGuard& guard, size_t ready, size_t most)
    : guard_(guard), most_(std::max<size_t>(1, most)) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = 0; i < std::min(ready, most_); ++i) start_thread();
}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::start_thread() {
  threads_.emplace_back([this] { work(); });
}

void ConnectionThreads::enqueue(std::function<void()> job) {
  // Called on the accept loop's thread right after accept: the guard knows which
  // connection this job serves.
  std::function<void()> bound = guard_.bind_connection(std::move(job));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(bound));
    // Idle threads (each sleeping on the condition variable) take queued jobs first.
    if (idle_ < jobs_.size() && threads_.size() < most_) start_thread();
  }
  ready_.notify_one();
}

void ConnectionThreads::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ++idle_;
    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) return;  // stopping, nothing left
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

void ConnectionThreads::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace faceage
