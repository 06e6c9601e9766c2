#include "faceage/serve/demo_page.h"

#include <array>
#include <utility>

namespace faceage {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string content_type_for(std::string_view name) {
  static const std::array<std::pair<std::string_view, std::string_view>, 7> types = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [extension, type] : types)
    if (ends_with(name, extension)) return std::string(type);
  return "application/octet-stream";
}

const std::vector<DemoFile>& demo_files() {
  static const std::vector<DemoFile> files = [] {
    std::vector<DemoFile> out;
    for (const EmbeddedFile& file : embedded_demo_files()) {
      DemoFile demo;
      demo.path = file.name == "index.html" ? "/" : "/demo/" + std::string(file.name);
      demo.content_type = content_type_for(file.name);
      demo.etag = "\"" + std::string(file.sha256.substr(0, 16)) + "\"";
      demo.body = file.bytes;
      out.push_back(std::move(demo));
    }
    return out;
  }();
  return files;
}

void reply_demo_file(const httplib::Request& req, httplib::Response& res, const DemoFile& file) {
  // Cached, but checked with the server each time: a new build's page is never stale.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", file.etag);
  res.set_header("X-Content-Type-Options", "nosniff");
  if (file.path == "/") {
    // The page runs its own script and styles only, and talks to this server only.
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
                   "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    res.set_header("Referrer-Policy", "no-referrer");
  }
  // If-None-Match may list several tags, or be "*".
  const std::string known = req.get_header_value("If-None-Match");
  if (known == "*" || known.find(file.etag) != std::string::npos) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(file.body.data(), file.body.size(), file.content_type.c_str());
}

}  // namespace faceage
