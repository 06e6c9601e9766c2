#pragma once
// Aligning a whole dataset once (`faceage align`): every photo goes through align_face
// and its angle and face box are kept as a CSV row, so training and evaluation crop
// faces without detecting them again.
//
// Output, `output` (e.g. rows.csv): the data stage's own row columns, written by
// data/sample_csv.h (photo, age, gender, race, subject, deg, box1..box4), then score
// (detection score) and faces (faces found in the first pass). Only aligned photos become
// rows, so the file reads as a dataset as it is. `photo` is relative to the CSV's folder
// when the photo lies under it, else absolute; deg and box1..box4 (x1, y1, x2, y2, pixel
// edges in the rotated photo) are the face's geometry (face/face_box.h), written in full
// so training crops exactly what prediction would (model/network_input.h).
//
// Photos not aligned go to skipped_rows_path(output) with the reason
// (no_face, several_faces, unreadable, error) and the message.
//
// Resumable: rows are appended and flushed one by one, in dataset order; a rerun reads
// both files and skips every photo already in either (a line cut off by a crash is
// dropped and redone).
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "faceage/data/sample.h"
#include "faceage/face/alignment.h"
#include "faceage/face/detector.h"

namespace faceage {

struct DatasetAlignmentProgress {
  size_t done = 0;   // photos finished in this run
  size_t total = 0;  // photos this run has to do
  size_t aligned = 0;
  double seconds = 0;
};

struct DatasetAlignmentOptions {
  AlignmentOptions alignment;
  int jobs = 1;                // photos aligned at once (threads)
  bool retry_skipped = false;  // align the photos of the skipped file again
  // Called once before the first photo (done = 0), then after each photo, one call at a time.
  std::function<void(const DatasetAlignmentProgress&)> on_progress;
  // Called for each photo not aligned (photo path, reason, message), one call at a time.
  std::function<void(const std::string&, const std::string&, const std::string&)> on_skip;
};

struct DatasetAlignmentSummary {
  size_t images = 0;        // photos in the dataset
  size_t already_done = 0;  // in the output files from an earlier run: not redone
  size_t aligned = 0;       // aligned in this run (rows written)
  size_t no_face = 0;
  std::vector<std::string> no_face_photos;  // their paths, in dataset order
  size_t several_faces = 0;  // more than one face found; aligned unless the policy is skip
  size_t unreadable = 0;
  size_t failed = 0;    // other errors, each in the skipped file with its message
  size_t padded = 0;    // aligned only after padding (tight crops)
  size_t one_pass = 0;  // aligned, but the face was not found again after rotation
  double seconds = 0;
};

// "rows.csv" -> "rows.skipped.csv"
std::string skipped_rows_path(const std::string& output);

// Throws faceage::Error when an existing output file is not one this function wrote.
DatasetAlignmentSummary align_samples(const std::vector<Sample>& samples,
                                      const FaceDetector& detector, const std::string& output,
                                      const DatasetAlignmentOptions& options = {});

}  // namespace faceage
