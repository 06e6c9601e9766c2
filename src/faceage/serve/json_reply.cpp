#include "faceage/serve/json_reply.h"

namespace faceage {

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // `replace`: a message quoting a client's bytes must never fail to encode.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, {{"error", message}});
}

}  // namespace faceage
