#include "faceage/infer/face_tracker.h"

#include <cmath>

#include <gtest/gtest.h>

namespace faceage {
namespace {

TEST(IntersectionOverUnion, KnownCases) {
  EXPECT_DOUBLE_EQ(intersection_over_union({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(intersection_over_union({0, 0, 10, 10}, {5, 0, 15, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(intersection_over_union({0, 0, 10, 10}, {20, 20, 30, 30}), 0.0);
}

TEST(FaceTracker, KeepsIdentityAndSmoothsJitter) {
  FaceTracker tracker;
  int person = -1, other = -1;
  double last_smoothed = 0;
  for (int frame = 0; frame < 20; ++frame) {
    // Person A drifts right slowly with an age that jitters 30/40; B stays put at 60.
    const FaceBox a{100.0 + frame, 100, 200.0 + frame, 220};
    const FaceBox b{400, 100, 480, 200};
    const std::vector<TrackedFace> tracked =
        tracker.update({a, b}, {frame % 2 ? 40.0 : 30.0, 60.0}, {3.0, 3.0});
    ASSERT_EQ(tracked.size(), 2u);
    if (frame == 0) person = tracked[0].track_id, other = tracked[1].track_id;
    EXPECT_EQ(tracked[0].track_id, person);
    EXPECT_EQ(tracked[1].track_id, other);
    EXPECT_NEAR(tracked[1].smoothed_age, 60.0, 1e-9);
    last_smoothed = tracked[0].smoothed_age;
    // Frames disagreeing by +-5 around 35, each +-3: sqrt(3^2 + 5^2), not 3/sqrt(N).
    if (frame >= 5) EXPECT_NEAR(tracked[0].smoothed_std, std::sqrt(34.0), 0.25);
  }
  EXPECT_NEAR(last_smoothed, 35.0, 0.5);  // the mean of the jitter, not the last value
}

TEST(FaceTracker, IdenticalFramesDoNotShrinkTheUncertainty) {
  // 15 frames of one face, each 40 +- 10: the same measurement repeated, so the window
  // says 40 +- 10, not 40 +- 10/sqrt(15) = 2.6.
  FaceTracker tracker;
  TrackedFace last;
  for (int frame = 0; frame < 15; ++frame) last = tracker.update({{0, 0, 50, 50}}, {40.0}, {10.0})[0];
  EXPECT_NEAR(last.smoothed_age, 40.0, 1e-9);
  EXPECT_NEAR(last.smoothed_std, 10.0, 1e-9);
}

TEST(FaceTracker, TheUncertaintyIsNeverBelowTheMostConfidentFrame) {
  FaceTracker tracker;
  const double stds[] = {4.0, 8.0, 6.0, 12.0, 5.0};
  const double ages[] = {30.0, 31.0, 29.0, 35.0, 30.5};
  for (int frame = 0; frame < 5; ++frame) {
    const TrackedFace tracked = tracker.update({{0, 0, 50, 50}}, {ages[frame]}, {stds[frame]})[0];
    EXPECT_GE(tracked.smoothed_std, 4.0);
  }
}

TEST(FaceTracker, ConfidentEstimatesWeighMore) {
  FaceTracker tracker;
  tracker.update({{0, 0, 10, 10}}, {20.0}, {1.0});
  const std::vector<TrackedFace> tracked = tracker.update({{0, 0, 10, 10}}, {50.0}, {10.0});
  EXPECT_LT(tracked[0].smoothed_age, 21.0);
}

TEST(FaceTracker, NewFacesGetNewIdsAndLostTracksExpire) {
  TrackerOptions options;
  options.max_missed = 2;
  FaceTracker tracker(options);
  const int first = tracker.update({{0, 0, 10, 10}}, {20.0}, {2.0})[0].track_id;
  EXPECT_NE(tracker.update({{50, 50, 60, 60}}, {20.0}, {2.0})[0].track_id, first);
  for (int i = 0; i < 3; ++i) tracker.update({}, {}, {});
  EXPECT_EQ(tracker.active_tracks(), 0u);
  EXPECT_NE(tracker.update({{0, 0, 10, 10}}, {20.0}, {2.0})[0].track_id, first);
}

TEST(FaceTracker, MismatchedInputIsAnError) {
  FaceTracker tracker;
  EXPECT_THROW(tracker.update({{0, 0, 10, 10}}, {}, {}), std::exception);
}

}  // namespace
}  // namespace faceage
