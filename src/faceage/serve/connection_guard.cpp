#include "faceage/serve/connection_guard.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>

#include <fmt/format.h>

namespace faceage {
namespace {

using Clock = std::chrono::steady_clock;

// Listening sockets watched by a guard. A guard lives as long as its server, which
// stops its accept loop before the guard is destroyed.
std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<int, ConnectionGuard*>& registry() {
  static std::map<int, ConnectionGuard*> guards;
  return guards;
}

// Set by the accept hook, read by bind_connection on the same (accept loop) thread.
thread_local uint64_t accepted_last = 0;
// The connection the current thread serves.
thread_local ConnectionGuard* serving_guard = nullptr;
thread_local uint64_t serving_id = 0;

// A complete answer written without blocking (MSG_DONTWAIT): a client that does not read
// it loses it, the accept loop does not wait.
void send_and_forget(int socket, int status, const std::string& reason, const std::string& message,
                     int retry_after_s) {
  const std::string body = fmt::format("{{\"error\":\"{}\"}}\n", message);
  const std::string text = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}"
      "Connection: close\r\n\r\n{}",
      status, reason, body.size(),
      retry_after_s >= 0 ? fmt::format("Retry-After: {}\r\n", retry_after_s) : "", body);
  [[maybe_unused]] const ssize_t sent =
      send(socket, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

ConnectionGuard::ConnectionGuard(ConnectionLimits limits) : limits_(limits) {
  watchdog_ = std::thread([this] { watch_deadlines(); });
}

ConnectionGuard::~ConnectionGuard() {
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    if (listening_socket_ >= 0) registry().erase(listening_socket_);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, connection] : open_) close(connection.socket);
  open_.clear();
}

void ConnectionGuard::watch_listener(int listening_socket) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  if (listening_socket_ >= 0) registry().erase(listening_socket_);
  listening_socket_ = listening_socket;
  registry()[listening_socket] = this;
}

bool ConnectionGuard::admit(int socket) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (static_cast<int>(open_.size()) >= limits_.max_connections) {
    ++counts_.refused;
    lock.unlock();
    send_and_forget(socket, 503, "Service Unavailable",
                    fmt::format("too many open connections ({}, --max-connections); retry later",
                                limits_.max_connections),
                    limits_.retry_after_s);
    close(socket);
    return false;
  }
  const int duplicate = dup(socket);
  if (duplicate < 0) {  // out of descriptors: refuse rather than serve unguarded
    ++counts_.refused;
    lock.unlock();
    send_and_forget(socket, 503, "Service Unavailable", "out of file descriptors; retry later",
                    limits_.retry_after_s);
    close(socket);
    return false;
  }
  const uint64_t id = next_id_++;
  open_[id] = {duplicate, Clock::now() + limits_.request_timeout};
  ++counts_.accepted;
  accepted_last = id;
  return true;
}

std::function<void()> ConnectionGuard::bind_connection(std::function<void()> job) {
  const uint64_t id = accepted_last;
  accepted_last = 0;
  if (id == 0) return job;  // not accepted through the hook
  return [this, id, job = std::move(job)] {
    serving_guard = this;
    serving_id = id;
    job();  // httplib reads, answers and closes its descriptor
    serving_guard = nullptr;
    serving_id = 0;
    close_connection(id);
  };
}

void ConnectionGuard::set_deadline(uint64_t id, bool reading) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = open_.find(id);
  if (found == open_.end()) return;
  found->second.deadline =
      reading ? Clock::now() + limits_.request_timeout : Clock::time_point::max();
}

void ConnectionGuard::close_connection(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = open_.find(id);
  if (found == open_.end()) return;
  close(found->second.socket);
  open_.erase(found);
}

void ConnectionGuard::watch_deadlines() {
  // A deadline is met within a tick; 50 ms is well inside any sensible timeout.
  const auto tick = std::min<Clock::duration>(std::chrono::milliseconds(50),
                                              limits_.request_timeout / 4 + std::chrono::milliseconds(1));
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    const Clock::time_point now = Clock::now();
    for (auto& [id, connection] : open_) {
      if (connection.deadline > now) continue;
      // The request has not arrived in time: say so, then end the connection; httplib's
      // blocked read returns and its thread is free again.
      send_and_forget(connection.socket, 408, "Request Timeout",
                      fmt::format("the request did not arrive within {} s (--request-timeout)",
                                  std::chrono::duration<double>(limits_.request_timeout).count()),
                      -1);
      shutdown(connection.socket, SHUT_RDWR);
      connection.deadline = Clock::time_point::max();
      ++counts_.timed_out;
    }
  }
}

ConnectionStats ConnectionGuard::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  ConnectionStats s = counts_;
  s.open = open_.size();
  return s;
}

void request_fully_read() {
  if (serving_guard != nullptr) serving_guard->set_deadline(serving_id, false);
}

void response_sent() {
  if (serving_guard != nullptr) serving_guard->set_deadline(serving_id, true);
}

}  // namespace faceage

// The interposed accept(): the executable's definition comes before libc's for every
// caller, cpp-httplib's shared library included. accept4 with no flags is the same call.
extern "C" int accept(int listening_socket, sockaddr* address, socklen_t* length) {
  while (true) {
    const int socket = accept4(listening_socket, address, length, 0);
    if (socket < 0) return socket;
    faceage::ConnectionGuard* guard = nullptr;
    {
      std::lock_guard<std::mutex> lock(faceage::registry_mutex());
      const auto found = faceage::registry().find(listening_socket);
      if (found != faceage::registry().end()) guard = found->second;
    }
    if (guard == nullptr || guard->admit(socket)) return socket;
    // Refused: wait for the next connection (stopping the server ends this accept).
  }
}
