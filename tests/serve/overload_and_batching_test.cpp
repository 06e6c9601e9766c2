// Under load: requests arriving together share a model call, a full queue turns requests
// away with 503 at once, and stopping the server answers the requests in flight.
#include <future>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "faceage/infer/prediction_output.h"
#include "faceage/io/image.h"
#include "serve_test_support.h"

namespace faceage::testing {
namespace {

using nlohmann::json;


TEST(Batching, RequestsArrivingTogetherShareOneModelCallAndEachGetsItsOwnFaces) {
  // The first request holds the model; the next four arrive meanwhile and must all go
  // through the next call together, each answer matching its own photo.
  constexpr int kRequests = 5;
  Gate gate;
  ServeOptions options;
  options.max_batch = 8;
  RunningServer server(gate.wrap(predict_with(serve_predictor())), options);
  OpenOnExit open_on_exit{gate};
  std::vector<std::future<httplib::Result>> replies;
  replies.push_back(post_async(server, file_bytes(fairface_photo(1))));
  ASSERT_TRUE(gate.wait_entered(1));
  for (int i = 1; i < kRequests; ++i) replies.push_back(post_async(server, file_bytes(fairface_photo(1 + 2 * i))));
  ASSERT_TRUE(eventually([&] { return server.server().stats().queued == kRequests - 1; }));
  gate.open();
  for (int i = 0; i < kRequests; ++i) {
    const httplib::Result result = replies[i].get();
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    const std::vector<FacePrediction> direct =
        serve_predictor().predict(read_image(fairface_photo(1 + 2 * i)));
    const json faces = json::parse(result->body)["faces"];
    ASSERT_EQ(faces.size(), direct.size()) << "request " << i;
    for (size_t f = 0; f < direct.size(); ++f)
      EXPECT_NEAR(faces[f]["age"].get<double>(), direct[f].age, 0.01) << "request " << i;
  }
  const BatchStats stats = server.server().stats();
  EXPECT_EQ(stats.requests, static_cast<size_t>(kRequests));
  EXPECT_EQ(stats.batches, 2u);
  EXPECT_EQ(stats.largest_batch, static_cast<size_t>(kRequests - 1));
}

TEST(Batching, UnheldConcurrentRequestsStillTakeFewerCallsThanRequests) {
  // No gate: eight clients at once against the real predictor; while one call runs the
  // others queue up and share the next ones.
  constexpr int kRequests = 8;
  ServeOptions options;
  options.batch_wait = std::chrono::milliseconds(20);
  RunningServer server(options);
  const std::string photo = file_bytes(fairface_photo(3));
  std::vector<std::future<httplib::Result>> replies;
  for (int i = 0; i < kRequests; ++i) replies.push_back(post_async(server, photo));
  for (auto& reply : replies) {
    const httplib::Result result = reply.get();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << result->body;
  }
  const BatchStats stats = server.server().stats();
  EXPECT_EQ(stats.requests, static_cast<size_t>(kRequests));
  EXPECT_LT(stats.batches, static_cast<size_t>(kRequests));
  EXPECT_GT(stats.largest_batch, 1u);
}

TEST(Overload, AFullQueueAnswers503WithRetryAfterAtOnce) {
  Gate gate;
  ServeOptions options;
  options.max_queue = 1;
  options.retry_after_s = 2;
  RunningServer server(gate.wrap(predict_with(serve_predictor())), options);
  OpenOnExit open_on_exit{gate};
  const std::string photo = file_bytes(fairface_photo(3));
  auto in_model = post_async(server, photo);
  ASSERT_TRUE(gate.wait_entered(1));
  auto queued = post_async(server, photo);
  ASSERT_TRUE(eventually([&] { return server.server().stats().queued == 1; }));

  const httplib::Result refused = server.client()->Post("/v1/age", photo, "image/jpeg");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(refused->get_header_value("Retry-After"), "2");
  EXPECT_NE(json::parse(refused->body)["error"].get<std::string>().find("busy"), std::string::npos);
  // Health checks are still answered while the model is busy.
  const httplib::Result health = server.client()->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(json::parse(health->body)["rejected"], 1);

  gate.open();
  for (auto* reply : {&in_model, &queued}) {
    const httplib::Result result = reply->get();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << result->body;
  }
  EXPECT_EQ(server.server().stats().rejected, 1u);
}

TEST(GracefulStop, StoppingAnswersTheRequestInFlightFirst) {
  Gate gate;
  RunningServer server(gate.wrap(predict_with(serve_predictor())), {});
  OpenOnExit open_on_exit{gate};
  auto in_flight = post_async(server, file_bytes(fairface_photo(3)));
  ASSERT_TRUE(gate.wait_entered(1));
  std::thread stopper([&] { server.stop(); });
  // The server stops accepting (the listening socket is closed) ...
  ASSERT_TRUE(eventually([&] { return !server.client()->Get("/healthz"); }));
  gate.open();  // ... and the request already in the model is still answered.
  const httplib::Result result = in_flight.get();
  stopper.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
}

}  // namespace
}  // namespace faceage::testing
