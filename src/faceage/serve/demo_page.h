#pragma once
// The demo page of `faceage serve`: GET / is the page (demo/index.html), GET /demo/NAME
// its other files, all built into the program (embedded_files.h). The page calls
// POST /v1/age?distribution=1 itself; it loads nothing from elsewhere.
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "faceage/serve/embedded_files.h"

namespace faceage {

struct DemoFile {
  std::string path;          // URL path: "/" or "/demo/NAME"
  std::string content_type;  // from the name's extension
  std::string etag;          // quoted, from the bytes' hash: unchanged files answer 304
  std::string_view body;
};

// Every file of the page, index.html as "/".
const std::vector<DemoFile>& demo_files();

// The Content-Type for a file name's extension (html, js, css, svg, png, ico, txt);
// application/octet-stream for any other.
std::string content_type_for(std::string_view name);

// Answers GET or HEAD of `file`: its bytes, or 304 when If-None-Match names its ETag.
void reply_demo_file(const httplib::Request& req, httplib::Response& res, const DemoFile& file);

}  // namespace faceage
