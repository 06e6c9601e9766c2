#pragma once
// The one way a face becomes the network's input, for training, evaluation, prediction
// and serving (paper §4.3, §4.5): the face's geometry in its photo (face/face_box.h: what
// `faceage align` keeps per dataset row, or what detection and alignment give at
// prediction) and the model's preprocessing record decide the pixels. Nothing else does:
// the trainer's loader and AgePredictor both call network_input_face, so a model sees
// at prediction exactly the framing it was trained on.
#include <opencv2/core.hpp>

#include "faceage/face/face_box.h"
#include "faceage/model/preprocessing.h"

namespace faceage {

// The 8-bit BGR face, input_size square, before augmentation and normalisation:
// - a box and a frame in the record (models trained on crops made elsewhere, e.g.
//   UTKFace's): the frame around the box (crop.h's crop_frame), in the photo rotated by
//   the angle;
// - a box: the box grown by the record's margin (crop.h's crop_face), likewise;
// - no box: the whole photo, rotated by the angle when there is one (a ready-made crop).
// Then resized (preprocessing.h's resize_to_input). Shares pixels with `photo` when
// nothing needs changing.
cv::Mat network_input_face(const cv::Mat& photo, const FaceGeometry& face,
                           const Preprocessing& preprocessing);

// The geometry a dataset row contributes (training, evaluation): its own when the model
// cuts faces by geometry (Preprocessing::align, or a frame measured for a model trained on
// crops made elsewhere), none otherwise: such a model was trained on its images whole.
inline FaceGeometry dataset_row_geometry(const FaceGeometry& row,
                                         const Preprocessing& preprocessing) {
  return preprocessing.align || preprocessing.frame ? row : FaceGeometry{};
}

}  // namespace faceage
