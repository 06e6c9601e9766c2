// BatchQueue on its own, with a stand-in predictor that answers each photo with its row
// count as the "age", so that every answer can be traced back to its photo.
#include "faceage/serve/batch_queue.h"

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "serve_test_support.h"

namespace faceage::testing {
namespace {

using Faces = BatchQueue::Faces;

std::vector<Faces> ages_from_rows(const std::vector<cv::Mat>& images) {
  std::vector<Faces> out;
  for (const cv::Mat& image : images) {
    FacePrediction face;
    face.age = image.rows;
    out.push_back({face});
  }
  return out;
}

cv::Mat photo_with_rows(int rows) { return cv::Mat(rows, 4, CV_8UC3, cv::Scalar::all(0)); }

TEST(BatchQueue, BatchesNeverExceedMaxBatchAndAnswersGoToTheirOwnPhotos) {
  Gate gate;
  std::vector<size_t> sizes;
  BatchQueue queue(gate.wrap([&](const std::vector<cv::Mat>& images) {
                     sizes.push_back(images.size());
                     return ages_from_rows(images);
                   }),
                   {/*max_batch=*/4, /*max_queue=*/16, std::chrono::microseconds(0)});
  OpenOnExit open_on_exit{gate};
  std::vector<std::future<Faces>> results;
  results.push_back(queue.submit(*queue.reserve(), photo_with_rows(10)));
  ASSERT_TRUE(gate.wait_entered(1));
  for (int rows = 11; rows < 20; ++rows) results.push_back(queue.submit(*queue.reserve(), photo_with_rows(rows)));
  EXPECT_EQ(queue.stats().queued, 9u);
  gate.open();
  for (size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].get().at(0).age, 10 + i);
  queue.stop();
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 4, 4, 1}));
  EXPECT_EQ(queue.stats().batches, 4u);
  EXPECT_EQ(queue.stats().largest_batch, 4u);
}

TEST(BatchQueue, PlacesAreLimitedAndAnUnusedTicketGivesItsPlaceBack) {
  BatchQueue queue(ages_from_rows, {1, /*max_queue=*/2, std::chrono::microseconds(0)});
  std::optional<BatchQueue::Ticket> first = queue.reserve();
  std::optional<BatchQueue::Ticket> second = queue.reserve();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(queue.reserve());
  EXPECT_EQ(queue.stats().rejected, 1u);
  EXPECT_EQ(queue.stats().queued, 2u);
  first.reset();  // a request refused after reserving (e.g. an undecodable photo)
  EXPECT_EQ(queue.stats().queued, 1u);
  std::optional<BatchQueue::Ticket> third = queue.reserve();
  ASSERT_TRUE(third);
  EXPECT_EQ(queue.submit(std::move(*third), photo_with_rows(7)).get().at(0).age, 7);
  EXPECT_EQ(queue.submit(std::move(*second), photo_with_rows(8)).get().at(0).age, 8);
  EXPECT_EQ(queue.stats().queued, 0u);
}

TEST(BatchQueue, APredictorExceptionReachesEveryRequestOfItsBatch) {
  Gate gate;
  int calls = 0;
  BatchQueue queue(gate.wrap([&](const std::vector<cv::Mat>& images) -> std::vector<Faces> {
                     if (++calls == 2) throw std::runtime_error("model fault");
                     return ages_from_rows(images);
                   }),
                   {8, 8, std::chrono::microseconds(0)});
  OpenOnExit open_on_exit{gate};
  auto first = queue.submit(*queue.reserve(), photo_with_rows(1));
  ASSERT_TRUE(gate.wait_entered(1));
  auto a = queue.submit(*queue.reserve(), photo_with_rows(2));
  auto b = queue.submit(*queue.reserve(), photo_with_rows(3));
  gate.open();
  EXPECT_EQ(first.get().at(0).age, 1);
  EXPECT_THROW(a.get(), std::runtime_error);
  EXPECT_THROW(b.get(), std::runtime_error);
  // The worker survives: the next call is answered.
  EXPECT_EQ(queue.submit(*queue.reserve(), photo_with_rows(4)).get().at(0).age, 4);
}

TEST(BatchQueue, AWrongNumberOfResultsIsAnErrorNotAMixUp) {
  BatchQueue queue([](const std::vector<cv::Mat>&) { return std::vector<Faces>{}; }, {});
  EXPECT_THROW(queue.submit(*queue.reserve(), photo_with_rows(1)).get(), Error);
}

TEST(BatchQueue, StopRunsWhatIsWaitingThenRefusesNewWork) {
  Gate gate;
  BatchQueue queue(gate.wrap(ages_from_rows), {1, 8, std::chrono::microseconds(0)});
  OpenOnExit open_on_exit{gate};
  auto running = queue.submit(*queue.reserve(), photo_with_rows(1));
  ASSERT_TRUE(gate.wait_entered(1));
  auto waiting = queue.submit(*queue.reserve(), photo_with_rows(2));
  std::optional<BatchQueue::Ticket> late = queue.reserve();
  ASSERT_TRUE(late);
  std::thread stopper([&] { queue.stop(); });
  ASSERT_TRUE(eventually([&] { return !queue.reserve(); }));  // stopping: no new places
  gate.open();
  stopper.join();
  EXPECT_EQ(running.get().at(0).age, 1);
  EXPECT_EQ(waiting.get().at(0).age, 2);
  // A ticket taken before the stop but used after it: refused, not left hanging.
  EXPECT_THROW(queue.submit(std::move(*late), photo_with_rows(3)).get(), Error);
}

}  // namespace
}  // namespace faceage::testing
