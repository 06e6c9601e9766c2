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
  int http_threads = 8;            // connections served at once
  // Largest request body (after any Content-Encoding is undone): bigger ones get 413.
  size_t max_body_bytes = size_t{20} << 20;
  // Largest image a request may declare or decode to (413 past it): 40 MP is 120 MB as BGR.
  int64_t max_pixels = 40'000'000;
  int max_batch = 8;   // photos per predictor call
  // Requests admitted but not yet taken by the model worker; past it 503 + Retry-After.
  // With max_batch this bounds the decoded photos held at once.
  int max_queue = 32;
  // How long the worker waits for more photos to join a batch that is not full.
  std::chrono::microseconds batch_wait{2000};
  int retry_after_s = 1;       // the Retry-After of a 503
  int read_timeout_s = 10;     // a client that stops sending is dropped after this
};

// Throws faceage::Error naming the first setting out of range.
void validate(const ServeOptions& options);

}  // namespace faceage
