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

// box [x1, y1, x2, y2], score, landmarks [[x, y] x 5] (photo pixels), angle, age, age_std,
// age_interval [low, high], gender / ethnicity {label, probability, probabilities}, and
// track_id / smoothed_age / smoothed_std when `tracked` is given. Numbers are rounded to
// what is meaningful (0.01 px, 0.01 years, 0.0001 probability).
nlohmann::json to_json(const FacePrediction& face, const TrackedFace* tracked = nullptr);

// A copy of the photo with each face's box and a label ("34 [27-42] F"; the smoothed age
// when tracked is given, one entry per face).
cv::Mat draw_predictions(const cv::Mat& image, const std::vector<FacePrediction>& faces,
                         const std::vector<TrackedFace>& tracked = {});

}  // namespace faceage
