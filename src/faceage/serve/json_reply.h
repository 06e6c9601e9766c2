#pragma once
// How the HTTP API answers: every response body is JSON, and every failure is
// {"error": "..."} with a status that says whose fault it was (4xx the request's, 5xx ours).
#include <stdexcept>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace faceage {

// A request that cannot be served, with the HTTP status to answer it with. Thrown by the
// request checks; the route boundary turns it into a reply.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

void reply_json(httplib::Response& res, int status, const nlohmann::json& body);
void reply_error(httplib::Response& res, int status, const std::string& message);

}  // namespace faceage
