#include "faceage/infer/face_tracker.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "faceage/core/error.h"

namespace faceage {
namespace {


}  // namespace

namespace {

// The window's age and its standard deviation.
std::pair<double, double> smoothed(const std::deque<std::pair<double, double>>& window) {
  // Mean: inverse-variance weighted, so confident frames count more.
  double weight_sum = 0, weighted_age = 0;
  for (const auto& [age, spread] : window) {
    const double weight = 1.0 / std::max(spread * spread, 1e-6);
    weight_sum += weight;
    weighted_age += weight * age;
  }
  const double mean = weighted_age / weight_sum;
  // Uncertainty: the spread of the window's frames taken together (their distributions
  // mixed with the same weights: mean per-frame variance plus the variance of the frames'
  // ages about the mean), not the error of a mean of N independent views. Consecutive
  // frames show the same face in nearly the same light and pose, so the model's error is
  // largely shared between them and does not average away: sqrt(1 / sum of weights)
  // shrank to ~2.6 years over 15 frames whose own std was ~10. This figure never goes
  // below what one frame supports and grows when the frames disagree.
  double variance = 0;
  for (const auto& [age, spread] : window) {
    const double weight = 1.0 / std::max(spread * spread, 1e-6);
    variance += weight / weight_sum * (spread * spread + (age - mean) * (age - mean));
  }
  return {mean, std::sqrt(variance)};
}

}  // namespace

FaceTracker::FaceTracker(TrackerOptions options) : options_(options) {
  if (options_.window < 1) fail("tracker window {} must be at least 1 frame", options_.window);
}

std::vector<TrackedFace> FaceTracker::update(const std::vector<FaceBox>& boxes,
                                             const std::vector<double>& ages,
                                             const std::vector<double>& age_stds) {
  if (ages.size() != boxes.size() || age_stds.size() != boxes.size())
    fail("tracker update: {} boxes but {} ages and {} spreads", boxes.size(), ages.size(),
         age_stds.size());
  // Greedy matching, best overlap first: enough for faces that move little between frames.
  std::vector<std::tuple<double, size_t, size_t>> pairs;
  for (size_t f = 0; f < boxes.size(); ++f)
    for (size_t t = 0; t < tracks_.size(); ++t)
      if (const double iou = intersection_over_union(boxes[f], tracks_[t].box);
          iou >= options_.min_overlap)
        pairs.emplace_back(iou, f, t);
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a > b; });
  std::vector<int> track_of_face(boxes.size(), -1);
  std::vector<bool> track_taken(tracks_.size(), false);
  for (const auto& [iou, f, t] : pairs)
    if (track_of_face[f] < 0 && !track_taken[t]) track_of_face[f] = static_cast<int>(t), track_taken[t] = true;

  for (size_t t = 0; t < tracks_.size(); ++t)
    if (!track_taken[t]) ++tracks_[t].missed;
  std::vector<TrackedFace> out(boxes.size());
  for (size_t f = 0; f < boxes.size(); ++f) {
    if (track_of_face[f] < 0) {
      tracks_.push_back(Track{next_id_++, boxes[f], 0, {}});
      track_of_face[f] = static_cast<int>(tracks_.size() - 1);
    }
    Track& track = tracks_[track_of_face[f]];
    track.box = boxes[f];
    track.missed = 0;
    track.ages.emplace_back(ages[f], age_stds[f]);
    while (static_cast<int>(track.ages.size()) > options_.window) track.ages.pop_front();
    out[f] = {track.id, 0, 0};
    std::tie(out[f].smoothed_age, out[f].smoothed_std) = smoothed(track.ages);
  }
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                               [&](const Track& t) { return t.missed > options_.max_missed; }),
                tracks_.end());
  return out;
}

}  // namespace faceage
