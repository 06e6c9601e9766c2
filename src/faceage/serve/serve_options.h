#pragma once
// The settings of `faceage serve`: where it listens and the limits that keep one request,
// or many at once, from taking more memory or time than the operator allowed.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace faceage {

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise: no accidental exposure
  int port = 8080;                 // 0: any free port (see AgeServer::bind)
  // Threads started at once for connections; 0: max_queue + max_batch + 8 (see
  // http_thread_count). More start on demand: every open connection has its own.
  int http_threads = 0;
  // Connections open at once (idle, slow or busy); past it a new one is answered 503
  // with Retry-After and closed at once, before anything is read.
  int max_connections = 1024;
  // Largest request body (after any Content-Encoding is undone): bigger ones get 413.
  size_t max_body_bytes = size_t{10} << 20;
  // Largest image a request may declare or decode to (413 past it): 25 MP is 75 MB as BGR.
  int64_t max_pixels = 25'000'000;
  int max_batch = 8;   // photos per predictor call
  // Requests admitted but not yet taken by the model worker; past it 503 + Retry-After.
  // With max_batch this bounds the decoded photos held at once.
  int max_queue = 16;
  // How long the worker waits for more photos to join a batch that is not full.
  std::chrono::microseconds batch_wait{2000};
  int retry_after_s = 1;       // the Retry-After of a 503
  int read_timeout_s = 10;     // a client that stops sending is dropped after this
  // A whole request (headers and body) must arrive within this, counted from the
  // connection's start or the previous answer: a trickling client gets 408 and is closed.
  int request_timeout_s = 30;
};

// Threads ready before the first connection: every connection gets its own thread (up
// to max_connections), so this only saves starting them under a burst; the automatic
// count covers the requests the queue and a batch hold, plus 8.
int http_thread_count(const ServeOptions& options);

// Throws faceage::Error naming the first setting out of range.
void validate(const ServeOptions& options);

}  // namespace faceage
