#pragma once
// Measuring FaceFrame (crop.h): where faces that someone else cropped (UTKFace's aligned
// crops) sit relative to the box our detector finds in them. A model trained on such
// crops records the median frame, and prediction on a photo cuts that framing around
// each detected face instead of the model never having seen a detector's box.
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/face/alignment.h"
#include "faceage/face/crop.h"

namespace faceage {

// The whole of `crop` described relative to the face aligned in it (two-pass alignment
// with the padding fallback), or nothing when no face is found.
std::optional<FaceFrame> frame_of_crop(const FaceDetector& detector, const cv::Mat& crop,
                                       const AlignmentOptions& options = {});

// Each field's median (robust to the odd wrong detection). Throws faceage::Error when empty.
FaceFrame median_frame(const std::vector<FaceFrame>& frames);

}  // namespace faceage
