#pragma once
// Pictures for a person to check detection and alignment by eye: the photo with every
// face's box, score and landmarks, and beside it the aligned crop of the chosen face.
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/face/alignment.h"
#include "faceage/face/detector.h"

namespace faceage {

// A copy of `image` with each face's box (the first, highest-scoring one in green, the
// others in yellow), its score, and the five landmarks (eyes blue, nose red, mouth
// corners magenta).
cv::Mat draw_faces(const cv::Mat& image, const std::vector<DetectedFace>& faces);

// draw_faces beside the aligned face: the crop (crop.h's crop_face with `margin`) with its
// landmarks and the line between the eyes, scaled to the photo's height. Without an
// aligned face the right panel says so.
cv::Mat annotate_alignment(const cv::Mat& image, const std::vector<DetectedFace>& faces,
                           const Alignment& alignment, double margin);

}  // namespace faceage
