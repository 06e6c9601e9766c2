#pragma once
// Follows faces across video frames by box overlap, so the age of one person can be
// smoothed over time: per-frame estimates jitter by a few years with lighting and pose.
#include <deque>
#include <vector>

#include "faceage/face/face_box.h"

namespace faceage {

struct TrackerOptions {
  double min_overlap = 0.3;  // intersection over union to continue a track
  int max_missed = 10;       // frames a track survives without a matching face
  int window = 15;           // frames the smoothed age averages over
};

struct TrackedFace {
  int track_id = 0;          // stable across frames for the same face
  double smoothed_age = 0;   // inverse-variance weighted mean over the window
  // Years: the spread of the window's frames taken together (mean per-frame variance plus
  // the variance of their ages), not the error of a mean of independent frames; it does
  // not shrink below what one frame supports (face_tracker.cpp says why).
  double smoothed_std = 0;
};

class FaceTracker {
 public:
  explicit FaceTracker(TrackerOptions options = {});

  // One frame's faces (boxes, ages and their standard deviations, all the same length):
  // returns each face's track and smoothed age, in the same order.
  std::vector<TrackedFace> update(const std::vector<FaceBox>& boxes,
                                  const std::vector<double>& ages,
                                  const std::vector<double>& age_stds);

  size_t active_tracks() const { return tracks_.size(); }

 private:
  struct Track {
    int id = 0;
    FaceBox box;
    int missed = 0;
    std::deque<std::pair<double, double>> ages;  // (age, std) of the last frames
  };
  TrackerOptions options_;
  std::vector<Track> tracks_;
  int next_id_ = 1;
};

}  // namespace faceage
