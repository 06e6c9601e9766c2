#include "faceage/infer/prediction_output.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

#include "faceage/data/label_parsing.h"

namespace faceage {
namespace {

// Divides by a power of ten so the result is the double nearest the decimal (0.95, not
// 0.9500000000000001) and JSON prints it short.
double rounded(double value, double step) {
  const double per_unit = std::round(1 / step);
  return std::round(value * per_unit) / per_unit;
}

nlohmann::json label_json(const LabelPrediction& label, const char* const* names) {
  nlohmann::json probabilities = nlohmann::json::array();
  for (double p : label.probabilities) probabilities.push_back(rounded(p, 1e-4));
  return {{"label", label.label >= 0 ? names[label.label] : "unknown"},
          {"probability", rounded(label.probability, 1e-4)},
          {"probabilities", probabilities}};
}

}  // namespace

nlohmann::json to_json(const FacePrediction& face, const TrackedFace* tracked,
                       const FaceJsonOptions& options) {
  nlohmann::json json;
  if (face.aligned) {
    const DetectedFace& d = face.aligned->detection;
    json["box"] = {rounded(d.box.x1, 0.01), rounded(d.box.y1, 0.01), rounded(d.box.x2, 0.01),
                   rounded(d.box.y2, 0.01)};
    json["score"] = rounded(d.score, 1e-4);
    nlohmann::json landmarks = nlohmann::json::array();
    for (const cv::Point2d& point : d.landmarks)
      landmarks.push_back({rounded(point.x, 0.01), rounded(point.y, 0.01)});
    json["landmarks"] = landmarks;
    json["angle"] = rounded(face.aligned->angle, 0.01);
  }
  json["age"] = rounded(face.age, 0.01);
  json["age_std"] = rounded(face.age_std, 0.01);
  json["age_interval"] = {rounded(face.age_low, 0.01), rounded(face.age_high, 0.01)};
  if (face.gender) json["gender"] = label_json(*face.gender, kGenderNames);
  if (face.ethnicity) json["ethnicity"] = label_json(*face.ethnicity, kEthnicityNames);
  if (options.age_distribution) {
    nlohmann::json distribution = nlohmann::json::array();
    for (double p : face.age_distribution) distribution.push_back(rounded(p, 1e-6));
    json["age_distribution"] = distribution;
  }
  if (tracked) {
    json["track_id"] = tracked->track_id;
    json["smoothed_age"] = rounded(tracked->smoothed_age, 0.01);
    json["smoothed_std"] = rounded(tracked->smoothed_std, 0.01);
  }
  return json;
}

cv::Mat draw_predictions(const cv::Mat& image, const std::vector<FacePrediction>& faces,
                         const std::vector<TrackedFace>& tracked) {
  cv::Mat canvas = image.clone();
  const int thickness = std::max(1, static_cast<int>(std::lround(std::max(image.cols, image.rows) / 400.0)));
  const double font_scale = 0.5 * thickness;
  for (size_t i = 0; i < faces.size(); ++i) {
    const FacePrediction& face = faces[i];
    if (!face.aligned) continue;
    const FaceBox& box = face.aligned->detection.box;
    const cv::Point top_left(static_cast<int>(box.x1), static_cast<int>(box.y1));
    cv::rectangle(canvas, top_left, cv::Point(static_cast<int>(box.x2), static_cast<int>(box.y2)),
                  cv::Scalar(0, 200, 0), thickness, cv::LINE_AA);
    const double age = i < tracked.size() ? tracked[i].smoothed_age : face.age;
    std::string label = fmt::format("{:.0f} [{:.0f}-{:.0f}]", age, face.age_low, face.age_high);
    if (face.gender) label += face.gender->label == 1 ? " F" : " M";
    int baseline = 0;
    const cv::Size text =
        cv::getTextSize(label, cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline);
    const cv::Point origin(top_left.x, std::max(text.height + 2, top_left.y - 4));
    cv::rectangle(canvas, origin + cv::Point(-1, baseline), origin + cv::Point(text.width + 1, -text.height - 2),
                  cv::Scalar(0, 120, 0), cv::FILLED);
    cv::putText(canvas, label, origin, cv::FONT_HERSHEY_SIMPLEX, font_scale,
                cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  }
  return canvas;
}

}  // namespace faceage
