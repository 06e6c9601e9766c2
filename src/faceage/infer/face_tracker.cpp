#include "faceage/infer/face_tracker.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "faceage/core/error.h"

namespace faceage {

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
    double weight_sum = 0, weighted = 0;
    for (const auto& [age, spread] : track.ages) {
      const double weight = 1.0 / std::max(spread * spread, 1e-6);
      weight_sum += weight;
      weighted += weight * age;
    }
    out[f] = {track.id, weighted / weight_sum, std::sqrt(1.0 / weight_sum)};
  }
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                               [&](const Track& t) { return t.missed > options_.max_missed; }),
                tracks_.end());
  return out;
}

}  // namespace faceage
