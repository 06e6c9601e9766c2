#include "faceage/serve/http_routes.h"

#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faceage/core/memory_reuse.h"
#include "faceage/infer/prediction_output.h"
#include "faceage/serve/demo_page.h"
#include "faceage/serve/image_upload.h"
#include "faceage/serve/json_reply.h"

namespace faceage {
namespace {

// Photos above this many pixels (a 4 MP phone photo is 12 MB decoded) are followed by
// return_freed_memory().
constexpr size_t kLargePhotoPixels = 4'000'000;

// Path -> the one method it answers (HEAD too for GET).
const std::map<std::string, std::string>& route_table() {
  static const std::map<std::string, std::string> routes = [] {
    std::map<std::string, std::string> table = {
        {"/healthz", "GET"}, {"/v1/model", "GET"}, {"/v1/age", "POST"}};
    for (const DemoFile& file : demo_files()) table.emplace(file.path, "GET");
    return table;
  }();
  return routes;
}

// httplib matches paths as regular expressions; the demo's names have dots.
std::string exact_path_pattern(const std::string& path) {
  std::string pattern;
  for (char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

// ?distribution=1 (or true) adds each face's age_distribution; 0, false or absent do not.
FaceJsonOptions face_json_options(const httplib::Request& req) {
  FaceJsonOptions options;
  if (!req.has_param("distribution")) return options;
  const std::string value = req.get_param_value("distribution");
  if (value == "1" || value == "true") {
    options.age_distribution = true;
  } else if (value != "0" && value != "false") {
    throw ApiError(400, fmt::format("distribution={} is not a choice: use distribution=1 "
                                    "(or true) for each face's age_distribution, or 0", value));
  }
  return options;
}

// 404 for an unknown path, 405 for a known path with the wrong method; before any body is
// read, so a wrong request costs nothing.
httplib::Server::HandlerResponse check_route(const httplib::Request& req, httplib::Response& res) {
  const auto found = route_table().find(req.path);
  if (found == route_table().end()) {
    reply_error(res, 404, fmt::format("no such endpoint: {} {} (the API has POST /v1/age, GET /healthz, "
                                      "GET /v1/model, and the demo page at GET /)",
                                      req.method, req.path));
  } else if (req.method == found->second || (req.method == "HEAD" && found->second == "GET")) {
    // Without a body the request is all here: its deadline stops (POST stops it once read).
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) request_fully_read();
    return httplib::Server::HandlerResponse::Unhandled;  // on to the route
  } else {
    res.set_header("Allow", found->second);
    reply_error(res, 405, fmt::format("{} takes {}, not {}", req.path, found->second, req.method));
  }
  // A body stays unread: the connection cannot carry another request.
  if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding"))
    res.set_header("Connection", "close");
  return httplib::Server::HandlerResponse::Handled;
}

// For the errors httplib finds itself, before any route runs.
std::string generic_message(int status) {
  switch (status) {
    case 400: return "malformed HTTP request";
    case 413: return "the request is too large";
    case 414: return "the request URI is too long";
    default: return fmt::format("HTTP error {}", status);
  }
}

nlohmann::json faces_json(const std::vector<FacePrediction>& faces, const cv::Mat& image,
                          const FaceJsonOptions& options) {
  nlohmann::json list = nlohmann::json::array();
  for (const FacePrediction& face : faces) list.push_back(to_json(face, nullptr, options));
  return {{"faces", list}, {"width", image.cols}, {"height", image.rows}};
}

void estimate_ages(const ApiContext& api, const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader) {
  const ServeOptions& limits = api.options;
  UploadKind kind;
  FaceJsonOptions json_options;
  try {
    json_options = face_json_options(req);
    kind = upload_kind(req.get_header_value("Content-Type"));
  } catch (const ApiError&) {
    discard_body(reader, limits.max_body_bytes);
    request_fully_read();
    throw;
  }
  std::string bytes = read_upload(req, reader, kind, limits.max_body_bytes);
  request_fully_read();  // the model's time does not count against the client
  check_upload(bytes, limits.max_pixels);
  // A place in the queue before decoding: the decoded photos held at once stay bounded.
  std::optional<BatchQueue::Ticket> ticket = api.queue->reserve();
  if (!ticket) {
    res.set_header("Retry-After", std::to_string(limits.retry_after_s));
    throw ApiError(503, fmt::format("the server is busy ({} requests waiting, --max-queue) or "
                                    "stopping; retry later", limits.max_queue));
  }
  cv::Mat image = decode_upload(bytes, limits.max_pixels);
  const std::vector<FacePrediction> faces = api.queue->submit(std::move(*ticket), image).get();
  reply_json(res, 200, faces_json(faces, image, json_options));
  // A large photo's pixels go back to the system, not to the free memory the heap keeps
  // for the model's activations (core/memory_reuse.h): serve's size returns after it.
  const bool large = image.total() > kLargePhotoPixels;
  image.release();
  if (large) {
    std::string().swap(bytes);
    return_freed_memory();
  }
}

// The route boundary: whatever went wrong becomes a JSON answer.
template <typename Handler>
void answer(httplib::Response& res, Handler&& handle) {
  try {
    handle();
  } catch (const ApiError& e) {
    if (e.status() == 413) res.set_header("Connection", "close");  // the rest of the body is unread
    reply_error(res, e.status(), e.what());
  } catch (const std::exception& e) {
    spdlog::error("faceage serve: request failed: {}", e.what());
    reply_error(res, 500, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    spdlog::error("faceage serve: request failed with an unknown exception");
    reply_error(res, 500, "internal error");
  }
}

}  // namespace

void install_routes(httplib::Server& http, const ApiContext& api) {
  const ApiContext* context = &api;
  http.set_pre_routing_handler(check_route);

  http.Post("/v1/age", [context](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& reader) {
    answer(res, [&] { estimate_ages(*context, req, res, reader); });
  });
  http.Get("/healthz", [context](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] {
      // Counters only: never waits for the model, so it answers with the queue full.
      const BatchStats s = context->queue->stats();
      nlohmann::json health = {{"status", "ok"}, {"queued", s.queued}, {"requests", s.requests},
                               {"batches", s.batches}, {"largest_batch", s.largest_batch},
                               {"rejected", s.rejected}};
      if (context->connections != nullptr) {
        const ConnectionStats c = context->connections->stats();
        health["connections"] = {{"open", c.open}, {"refused", c.refused}, {"timed_out", c.timed_out}};
      }
      reply_json(res, 200, health);
    });
  });
  http.Get("/v1/model", [context](const httplib::Request&, httplib::Response& res) {
    answer(res, [&] { reply_json(res, 200, context->model); });
  });
  for (const DemoFile& file : demo_files()) {
    const DemoFile* served = &file;  // demo_files() lives as long as the program
    http.Get(exact_path_pattern(file.path),
             [served](const httplib::Request& req, httplib::Response& res) {
               answer(res, [&] { reply_demo_file(req, res, *served); });
             });
  }

  // Errors httplib answers by itself (a malformed request line, a URI too long, ...) get a
  // JSON body too; answers that have one already are left alone.
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply_error(res, res.status, generic_message(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  // A last net: the handlers catch everything themselves.
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    reply_error(res, 500, "internal error");
  });
  // Called once an answer has been written: the next request's deadline starts.
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    response_sent();
    spdlog::debug("faceage serve: {} {} -> {}", req.method, req.path, res.status);
  });
}

}  // namespace faceage
