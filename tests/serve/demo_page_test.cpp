// The demo page (GET / and /demo/*): the files of src/faceage/serve/demo/ built into the
// server byte for byte, with their types and caching headers, beside the JSON API.
#include <filesystem>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faceage/serve/demo_page.h"
#include "serve_test_support.h"

namespace faceage::testing {
namespace {

namespace fs = std::filesystem;

const fs::path demo_source_dir() { return fs::path(source_dir()) / "src/faceage/serve/demo"; }

// Every file of the source folder, by its URL path.
std::vector<std::pair<std::string, fs::path>> demo_sources() {
  std::vector<std::pair<std::string, fs::path>> out;
  for (const fs::directory_entry& entry : fs::directory_iterator(demo_source_dir())) {
    const std::string name = entry.path().filename().string();
    out.emplace_back(name == "index.html" ? "/" : "/demo/" + name, entry.path());
  }
  return out;
}

TEST(DemoPage, EveryFileOfTheDemoFolderIsServedAsItIsWithItsType) {
  const auto sources = demo_sources();
  ASSERT_GE(sources.size(), 3u);  // index.html, demo.js, demo.css at least
  EXPECT_EQ(demo_files().size(), sources.size());
  RunningServer server;
  const auto client = server.client();
  for (const auto& [path, file] : sources) {
    const httplib::Result result = client->Get(path.c_str());
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 200) << path;
    EXPECT_EQ(result->body, file_bytes(file.string())) << path;
    EXPECT_EQ(result->get_header_value("Content-Type"), content_type_for(file.filename().string())) << path;
    EXPECT_EQ(result->get_header_value("Cache-Control"), "no-cache") << path;
    EXPECT_FALSE(result->get_header_value("ETag").empty()) << path;
  }
  const httplib::Result page = client->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(client->Get("/demo/demo.js")->get_header_value("Content-Type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(client->Get("/demo/demo.css")->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

TEST(DemoPage, ThePageLoadsOnlyItsOwnFiles) {
  const std::string html = file_bytes((demo_source_dir() / "index.html").string());
  const std::regex reference(R"((src|href)="([^"]*)\")");
  RunningServer server;
  const auto client = server.client();
  int references = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[2];
    ++references;
    if (target.rfind("data:", 0) == 0) continue;
    ASSERT_EQ(target.rfind("/demo/", 0), 0u) << "index.html loads " << target << " from elsewhere";
    const httplib::Result result = client->Get(target.c_str());
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << target;
  }
  EXPECT_GE(references, 3);  // the icon, the style sheet, the script
}

TEST(DemoPage, HeadGivesTheHeadersWithoutTheBody) {
  RunningServer server;
  const httplib::Result head = server.client()->Head("/");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(head->get_header_value("Content-Length"),
            std::to_string(file_bytes((demo_source_dir() / "index.html").string()).size()));
  const httplib::Result script = server.client()->Head("/demo/demo.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
}

TEST(DemoPage, AFileTheBrowserHasIsNotSentAgain) {
  RunningServer server;
  const auto client = server.client();
  const httplib::Result first = client->Get("/demo/demo.css");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  const httplib::Result again = client->Get("/demo/demo.css", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  // Another file's tag is no match.
  const httplib::Result other = client->Get("/", {{"If-None-Match", etag}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST(DemoPage, OtherPathsAreStillJson404AndWrongMethods405) {
  RunningServer server;
  const auto client = server.client();
  for (const char* path : {"/demo/missing.js", "/index.html", "/demo/", "/demo"}) {
    const httplib::Result result = client->Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 404) << path;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_TRUE(nlohmann::json::parse(result->body).contains("error")) << path;
  }
  const httplib::Result post = client->Post("/", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET");
}

TEST(DemoPage, ContentTypesFollowTheExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("age_chart.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("demo.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("notes"), "application/octet-stream");
  EXPECT_EQ(content_type_for("archive.json.gz"), "application/octet-stream");
}

}  // namespace
}  // namespace faceage::testing
