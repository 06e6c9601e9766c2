#pragma once
// Keeps slow, idle and trickling clients from holding `faceage serve` hostage: every open
// connection is known from the moment it is accepted, a request must arrive in full
// within a deadline (for the whole request, not per read: a client sending a byte every
// few seconds is cut off like one sending nothing), and past a cap on open connections a
// new one is answered 503 at once and closed.
//
// cpp-httplib (0.11, thread per connection) has no hook at accept, so the process's
// accept() is interposed (connection_guard.cpp): for a listening socket a guard watches it
// admits or refuses the new connection; every other accept() is passed through unchanged.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace faceage {

struct ConnectionLimits {
  int max_connections = 1024;                      // open at once; past it 503 and close
  std::chrono::milliseconds request_timeout{30000};  // for a whole request to arrive
  int retry_after_s = 1;                           // the Retry-After of the refusal
};

struct ConnectionStats {
  size_t open = 0, accepted = 0, refused = 0, timed_out = 0;
};

class ConnectionGuard {
 public:
  explicit ConnectionGuard(ConnectionLimits limits);
  ~ConnectionGuard();  // stops watching; connections still open keep running
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // Connections accepted on this listening socket go through this guard.
  void watch_listener(int listening_socket);

  // The accept hook: admits `socket` (true) or answers 503 and closes it (false).
  bool admit(int socket);

  // Wraps the job httplib queues right after accept (same thread): while it runs, this
  // thread's connection is the one admitted last; when it ends the connection is gone.
  std::function<void()> bind_connection(std::function<void()> job);

  ConnectionStats stats() const;
  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct Connection {
    int socket = -1;  // a duplicate of httplib's descriptor: ours to shut down or close
    std::chrono::steady_clock::time_point deadline;  // max(): no request being read
  };
  friend void request_fully_read();
  friend void response_sent();
  void set_deadline(uint64_t id, bool reading);
  void close_connection(uint64_t id);
  void watch_deadlines();

  ConnectionLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Connection> open_;
  uint64_t next_id_ = 1;
  ConnectionStats counts_;
  bool stopping_ = false;
  int listening_socket_ = -1;
  std::thread watchdog_;
};

// Called by the routes on the thread serving a request: the request has arrived in full
// (its deadline stops while the model works); the answer has been sent (the next
// request on the connection has the deadline again). No-ops outside a guarded connection.
void request_fully_read();
void response_sent();

}  // namespace faceage
