#pragma once
// FaceDetector: MTCNN (Zhang et al. 2016) face detection with five landmarks, following
// facenet's original detect_face step by step (paper §4.3 uses MTCNN for both passes of
// the alignment). Created once from the weights file, called per image, returns plain data
// (the shape of OpenCV's FaceDetectorYN).
//
//   faceage::FaceDetector detector;                 // finds models/mtcnn.safetensors
//   for (const faceage::DetectedFace& face : detector.detect(faceage::read_image(path)))
//     ...face.box, face.score, face.landmarks[faceage::kLeftEye]...
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/face/face_box.h"

namespace faceage {

// Landmark order of MTCNN. "Left" is the smaller x in the image (for a frontal face, the
// subject's right eye).
enum Landmark { kLeftEye = 0, kRightEye = 1, kNose = 2, kMouthLeft = 3, kMouthRight = 4 };

struct DetectedFace {
  // MTCNN's box after the last regression, in pixel-edge coordinates (pixel i spans
  // [i, i + 1), as crop.h reads boxes). facenet reports the same box as
  // (x1 + 1, y1 + 1, x2, y2): it counts pixels from 1. Not clamped: a face cut by the
  // border may have a box partly outside the image.
  FaceBox box;
  double score = 0;                      // O-Net face probability, > thresholds[2]
  std::array<cv::Point2d, 5> landmarks;  // pixel coordinates (0-based), in Landmark order
  // Found only after padding the photo (alignment.h's detect_faces, for tight crops);
  // box and landmarks are still in the unpadded photo's coordinates.
  bool padded = false;
};

struct DetectorOptions {
  double min_face_size = 20;                           // pixels; smaller faces are not searched for
  double scale_factor = 0.709;                         // between image pyramid levels
  std::array<double, 3> thresholds = {0.6, 0.7, 0.7};  // P-, R-, O-Net face probability
  int max_crops_per_batch = 512;  // R/O-Net crops per forward call (bounds memory)
  // facenet resizes the image itself to every pyramid level; by default each level is
  // resized from the previous one instead (same area interpolation, several times faster
  // on large images; docs/face-detection.md gives the difference in results).
  bool pyramid_from_original = false;
  // The pyramid levels and the R/O-Net crops are averaged down by area_resize.h's
  // separable pass (4-10x faster than OpenCV's fractional INTER_AREA); false calls
  // cv::resize as facenet does. The pixels differ by float rounding, the faces found are
  // the same (tests/face/detector_speed_test.cpp).
  bool separable_resize = true;
  // The networks as fused oneDNN chains (mtcnn_chain.h) where the build has them; false
  // runs LibTorch's modules (same results to 1e-4; docs/performance.md has the speeds).
  bool fused_networks = true;
  // Larger images are searched on a copy scaled down to this many pixels (area
  // averaging), and the faces are given in the image's own coordinates: detection's
  // memory (about 15 bytes per pixel searched, plus the pyramid) stays bounded on 48 MP
  // photos. Faces smaller than min_face_size in the copy are then not searched for, i.e.
  // min_face_size / scale in the image (35 px on a 12 MP photo). 0 = no limit.
  int64_t max_pixels = 4'000'000;
};

class FaceDetector {
 public:
  // Loads the three networks once: weights_path, else find_mtcnn_weights() (see
  // mtcnn_nets.h). Throws faceage::Error when the file is missing or invalid.
  explicit FaceDetector(const std::string& weights_path = "", DetectorOptions options = {});

  // All faces in an 8-bit BGR image (faceage::read_image), highest score first.
  // Thread-safe: several threads may call detect() on one detector at once.
  std::vector<DetectedFace> detect(const cv::Mat& image) const;

  // Several images at once: images of equal size share each P-Net pyramid pass, and the
  // R- and O-Net crops of all images go through the networks together. Same results as
  // detecting one by one.
  std::vector<std::vector<DetectedFace>> detect(const std::vector<cv::Mat>& images) const;

  // O-Net alone on faces whose place is already known (alignment's second pass, a face
  // followed from one video frame to the next): each box is squared about its centre, as
  // MTCNN squares its candidates, and O-Net gives the face's box, landmarks and score
  // there. One entry per box; empty where O-Net's score is not above thresholds[2]. One
  // 48 x 48 network per box instead of the image pyramid and two networks.
  std::vector<std::optional<DetectedFace>> refine(const cv::Mat& image,
                                                  const std::vector<FaceBox>& boxes) const;

  const DetectorOptions& options() const;
  const std::string& weights_path() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace faceage
