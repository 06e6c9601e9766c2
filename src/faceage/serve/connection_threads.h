#pragma once
// The thread pool behind `faceage serve`'s connections: a thread for every open
// connection (cpp-httplib serves a connection on one thread from its first byte to its
// close), started when all are busy and kept for the next ones, so a health check never
// waits behind idle or slow clients; ConnectionGuard bounds how many there can be.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

#include "faceage/serve/connection_guard.h"

namespace faceage {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  // `ready` threads start at once; more start on demand, up to `most`.
  ConnectionThreads(ConnectionGuard& guard, size_t ready, size_t most);
  ~ConnectionThreads() override;

  void enqueue(std::function<void()> job) override;
  // Lets the queued and running connections finish, then joins every thread.
  void shutdown() override;

 private:
  void start_thread();
  void work();

  ConnectionGuard& guard_;
  size_t most_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace faceage
