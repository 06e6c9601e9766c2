#pragma once
// The HTTP API of `faceage serve`:
//   POST /v1/age    a photo (raw body or multipart field "image") -> its faces, as `faceage predict`
//                   (?distribution=1: with each face's age_distribution)
//   GET  /healthz   {"status": "ok", ...counters}
//   GET  /v1/model  the model's metadata and card
//   GET  /, /demo/* the demo page (demo_page.h)
// Anything else is a JSON 404 or 405. Each handler catches everything at its boundary:
// a bad request is a 4xx naming what was wrong, a fault of ours a 500, never a crash.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "faceage/serve/batch_queue.h"
#include "faceage/serve/connection_guard.h"
#include "faceage/serve/serve_options.h"

namespace faceage {

// What the routes use; it must outlive the server they are installed on.
struct ApiContext {
  BatchQueue* queue = nullptr;
  const ConnectionGuard* connections = nullptr;  // for /healthz's counters; may be null
  ServeOptions options;
  nlohmann::json model;  // GET /v1/model's answer
};

void install_routes(httplib::Server& http, const ApiContext& api);

}  // namespace faceage
