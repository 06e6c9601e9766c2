#pragma once
// Face alignment in two passes (paper §4.3): the landmarks of a first detection give the
// angle of the line between the eyes; the photo is rotated by it on an expanded canvas
// (crop.h's rotate_expanded: nothing is cut off); a second detection on the rotated photo
// gives the face box. The result is the record a dataset keeps (angle, box), so the
// photo can be cropped later with any margin (crop.h's crop_face).
//
//   const faceage::FaceDetector detector;
//   const faceage::Alignment a = faceage::align_face(detector, image);
//   if (a.face) cv::Mat crop = faceage::crop_face(image, a.face->geometry(), 0.4);
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/face/detector.h"

namespace faceage {

// Which face to align when the first detection finds several.
enum class FacePolicy {
  largest,       // the largest box
  most_central,  // the box whose centre is nearest the photo's centre
  skip,          // none: the photo is reported as having several faces
};

// "largest", "central" (or "most-central"), "skip"; throws faceage::Error naming these.
FacePolicy face_policy_from_name(const std::string& name);
std::string face_policy_name(FacePolicy policy);

// Tight crops of pre-aligned datasets (UTKFace) have no background around the face and
// MTCNN often misses them. When a detection finds nothing, the photo is padded on every
// side by `pad_ratio` x its longer side and searched again; boxes and landmarks are then
// given in the unpadded photo's coordinates (so a box may reach past the photo's edge).
enum class PadBorder { constant, replicate, reflect };
PadBorder pad_border_from_name(const std::string& name);  // "constant", "replicate", "reflect"
std::string pad_border_name(PadBorder border);

// How the second pass finds the face again in the rotated photo.
enum class SecondPass {
  detect,  // MTCNN's whole search again (the paper's pipeline)
  refine,  // O-Net alone on the first box carried through the rotation; MTCNN's
           // search when O-Net rejects it (a fraction of the cost: docs/face-detection.md)
};
SecondPass second_pass_from_name(const std::string& name);  // "detect", "refine"
std::string second_pass_name(SecondPass pass);

struct AlignmentOptions {
  FacePolicy policy = FacePolicy::largest;
  double pad_ratio = 0.25;                    // 0: no second try with padding
  PadBorder pad_border = PadBorder::reflect;  // found the most UTKFace faces (docs)
  // Not in the paper: up to this many further passes, each turning the photo by the tilt
  // the last detection still sees, while that is above refine_above_degrees and shrinks.
  int refine_passes = 0;
  double refine_above_degrees = 1.0;
  // Not in the paper: the second detection searches only a square this many times the
  // first box's longer side around the face, not the whole rotated photo (the same face
  // at a fraction of the cost; the whole photo is searched when the square holds none).
  // 0 = always the whole photo, as the paper's pipeline.
  double search_window = 4.0;
  SecondPass second_pass = SecondPass::detect;
};

// The angle that levels the eyes: rotate_expanded(image, angle) makes the line from the
// left eye to the right eye horizontal. Degrees, positive = counter-clockwise on screen.
double eye_line_angle(const DetectedFace& face);

// Detection with the padding fallback above; faces found only after padding say so
// (DetectedFace::padded).
std::vector<DetectedFace> detect_faces(const FaceDetector& detector, const cv::Mat& image,
                                       const AlignmentOptions& options = {});

// The face that `policy` picks, or nullptr (no face; several faces under `skip`).
const DetectedFace* choose_face(const std::vector<DetectedFace>& faces, cv::Size image_size,
                                FacePolicy policy);

// One face of a photo, aligned: the first detection, the angle that levels its eyes, and
// the face found again in the photo so rotated.
struct AlignedFace {
  DetectedFace detection;  // the first pass, in the photo's coordinates
  double angle = 0;        // degrees the photo is rotated by (crop.h's convention)
  // In the rotated photo: the second detection's box, landmarks and score; when the face
  // was not found again (second_pass false), the first detection carried through the
  // rotation (box: same size, centre rotated).
  DetectedFace face;
  // The eye-line angle measured again on the second detection: what is left of the tilt
  // after rotating (about 0 when alignment worked). 0 when there was no second detection.
  double residual_angle = 0;
  bool second_pass = false;  // the second detection found the face

  // Found only after padding, in either pass (a tight crop).
  bool padded() const { return detection.padded || face.padded; }
  // What a crop needs (crop.h, model/network_input.h) and what `faceage align` keeps.
  FaceGeometry geometry() const { return {angle, face.box}; }
};

struct Alignment {
  std::optional<AlignedFace> face;  // empty: no face, or several faces under `skip`
  int faces_found = 0;              // faces in the first detection
};

Alignment align_face(const FaceDetector& detector, const cv::Mat& image,
                     const AlignmentOptions& options = {});

// The second pass (and any refine passes) for one face of a first detection: what
// align_face does after choosing a face. Prediction calls it for every face in a photo.
AlignedFace align_detected_face(const FaceDetector& detector, const cv::Mat& image,
                                const DetectedFace& first, const AlignmentOptions& options = {});

}  // namespace faceage
