#pragma once
// What `faceage predict` (and later the HTTP service) reports per face: one JSON object
// per face, and the same facts drawn onto the photo.
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "faceage/infer/face_tracker.h"
#include "faceage/infer/predictor.h"

namespace faceage {

// What to_json adds beyond the fields every answer has.
struct FaceJsonOptions {
  // "age_distribution": the probability of each age 0..100 (about 1 KB per face).
  bool age_distribution = false;
};

// box [x1, y1, x2, y2], score, landmarks [[x, y] x 5] (photo pixels), angle, age, age_std,
// age_interval [low, high], gender / ethnicity {label, probability, probabilities},
// track_id / smoothed_age / smoothed_std when `tracked` is given, and age_distribution when
// asked. Numbers are rounded to what is meaningful (0.01 px, 0.01 years, 0.0001 label
// probability; 1e-6 for the age distribution, so its sum and expectation stay within
// 1e-4 and 0.001 years of the unrounded ones).
nlohmann::json to_json(const FacePrediction& face, const TrackedFace* tracked = nullptr,
                       const FaceJsonOptions& options = {});

// A copy of the photo with each face's box and a label ("34 [27-42] F"; the smoothed age
// when tracked is given, one entry per face).
cv::Mat draw_predictions(const cv::Mat& image, const std::vector<FacePrediction>& faces,
                         const std::vector<TrackedFace>& tracked = {});

}  // namespace faceage
