// Idle, slow and trickling clients cannot take what /healthz and real requests need: a
// deadline for the whole request, a cap on open connections with a clear refusal, a
// thread for every open connection. Only ever 127.0.0.1; every loop is bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "serve_test_support.h"

namespace faceage::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A raw TCP connection to 127.0.0.1:port, closed when destroyed.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  bool ok() const { return fd_ >= 0; }
  bool send_text(const std::string& text) {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Everything the server sends until it closes the connection or `limit` passes.
  std::string read_until_closed(std::chrono::milliseconds limit, bool* closed = nullptr) {
    std::string text;
    const Clock::time_point end = Clock::now() + limit;
    while (Clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count());
      if (poll(&p, 1, std::max(1, left)) <= 0) continue;
      char buffer[4096];
      const ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) {
        if (closed != nullptr) *closed = true;
        return text;
      }
      text.append(buffer, static_cast<size_t>(got));
    }
    if (closed != nullptr) *closed = false;
    return text;
  }

 private:
  int fd_ = -1;
};

// The slowest of `count` GET /healthz answers, each on a fresh connection.
double slowest_health_ms(const RunningServer& server, int count) {
  double slowest = 0;
  for (int i = 0; i < count; ++i) {
    auto client = server.client();
    const Clock::time_point start = Clock::now();
    const auto result = client->Get("/healthz");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!result || result->status != 200) return 1e9;
    slowest = std::max(slowest, ms);
  }
  return slowest;
}

TEST(SlowClients, HealthAnswersWithin100msWhileIdleAndTricklingClientsAreConnected) {
  ServeOptions options;
  options.http_threads = 4;  // fewer ready threads than bad clients: more must start
  RunningServer server(options);
  // 40 clients that send part of a request head and then nothing.
  std::vector<RawConnection> idle;
  for (int i = 0; i < 40; ++i) {
    idle.emplace_back(server.port());
    ASSERT_TRUE(idle.back().ok());
    ASSERT_TRUE(idle.back().send_text("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  // 24 clients trickling a POST's head and body, a byte every 100 ms, for at most 4 s.
  std::atomic<bool> stop{false};
  std::vector<std::thread> tricklers;
  for (int i = 0; i < 24; ++i)
    tricklers.emplace_back([&, port = server.port()] {
      RawConnection connection(port);
      const std::string request =
          "POST /v1/age HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
          "Content-Length: 100000\r\n\r\n" + std::string(100000, 'x');
      for (size_t at = 0; at < request.size() && at < 40 && !stop; ++at) {
        if (!connection.send_text(request.substr(at, 1))) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all of them connected
  EXPECT_TRUE(eventually([&] { return server.server().connection_stats().open >= 64; }))
      << server.server().connection_stats().open;
  EXPECT_LT(slowest_health_ms(server, 10), 100.0);
  // A photo is answered too, while they are all still there.
  auto client = server.client();
  const auto photo = client->Post("/v1/age", file_bytes(fairface_photo(3)), "image/jpeg");
  ASSERT_TRUE(photo);
  EXPECT_EQ(photo->status, 200) << photo->body;
  EXPECT_LT(slowest_health_ms(server, 5), 100.0);
  stop = true;
  for (std::thread& t : tricklers) t.join();
  idle.clear();
}

TEST(SlowClients, HealthAnswersWhileTheModelQueueIsFull) {
  Gate gate;
  ServeOptions options;
  options.max_batch = 1;
  options.max_queue = 1;
  RunningServer server(gate.wrap(predict_with(serve_predictor())), options);
  OpenOnExit open_on_exit{gate};
  const std::string photo = file_bytes(fairface_photo(3));
  auto in_model = post_async(server, photo);  // held in the model
  ASSERT_TRUE(gate.wait_entered(1));
  auto waiting = post_async(server, photo);  // the one place in the queue
  ASSERT_TRUE(eventually([&] { return server.server().stats().queued == 1; }));
  const auto refused = server.client()->Post("/v1/age", photo, "image/jpeg");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_LT(slowest_health_ms(server, 5), 100.0);
  gate.open();
  EXPECT_EQ(in_model.get()->status, 200);
  EXPECT_EQ(waiting.get()->status, 200);
}

TEST(SlowClients, AWholeRequestDeadlineCutsOffATricklingClientWith408) {
  ServeOptions options;
  options.request_timeout_s = 1;
  options.read_timeout_s = 10;  // each byte comes well within the per-read timeout
  RunningServer server(options);
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.ok());
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  const Clock::time_point start = Clock::now();
  bool cut = false;
  for (int i = 0; i < 40 && !cut; ++i) {  // at most 4 s of a byte per 100 ms
    cut = !connection.send_text(i < static_cast<int>(head.size()) ? head.substr(i, 1) : "a");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (i % 5 == 4) {
      bool closed = false;
      const std::string answer = connection.read_until_closed(std::chrono::milliseconds(1), &closed);
      if (closed || !answer.empty()) {
        EXPECT_NE(answer.find("408"), std::string::npos) << answer;
        cut = true;
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_TRUE(cut);
  EXPECT_GT(seconds, 0.9);
  EXPECT_LT(seconds, 2.5) << "the deadline is for the whole request, not per read";
  EXPECT_EQ(server.server().connection_stats().timed_out, 1u);
  // A normal request on a new connection is answered as ever.
  EXPECT_LT(slowest_health_ms(server, 1), 100.0);
}

TEST(SlowClients, ABurstOfConnectionsIsAcceptedAtOnce) {
  // httplib's listen backlog of 5 made the kernel drop the handshakes of a burst, which
  // clients retry after 1, 3, 7 s: 200 connections must all be open within 2 s.
  RunningServer server;
  std::vector<RawConnection> burst;
  for (int i = 0; i < 200; ++i) burst.emplace_back(server.port());
  const Clock::time_point start = Clock::now();
  while (server.server().connection_stats().open < 200 && Clock::now() - start < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(server.server().connection_stats().open, 200u);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 2.0);
  EXPECT_LT(slowest_health_ms(server, 3), 100.0);
}

TEST(SlowClients, PastTheConnectionCapANewConnectionGets503AndIsClosed) {
  ServeOptions options;
  options.max_connections = 4;
  RunningServer server(options);
  std::vector<RawConnection> idle;
  for (int i = 0; i < 4; ++i) {
    idle.emplace_back(server.port());
    ASSERT_TRUE(idle.back().ok());
  }
  ASSERT_TRUE(eventually([&] { return server.server().connection_stats().open == 4; }));
  RawConnection fifth(server.port());
  ASSERT_TRUE(fifth.ok());
  bool closed = false;
  const std::string answer = fifth.read_until_closed(std::chrono::milliseconds(2000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("too many open connections (4"), std::string::npos) << answer;
  EXPECT_EQ(server.server().connection_stats().refused, 1u);
  // Once the idle ones go, the server takes connections again.
  idle.clear();
  ASSERT_TRUE(eventually([&] { return server.server().connection_stats().open == 0; }));
  EXPECT_LT(slowest_health_ms(server, 3), 100.0);
}

}  // namespace
}  // namespace faceage::testing
