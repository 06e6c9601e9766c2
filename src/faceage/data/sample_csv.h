#pragma once
// Dataset rows as CSV: the reference implementation's columns
// (photo, age, deg, box1, box2, box3, box4, optional gender, race) plus ours (subject).
#include <istream>
#include <string>
#include <vector>

#include "faceage/data/read_report.h"
#include "faceage/data/sample.h"

namespace faceage {

// Reads a CSV with a header row. Columns are found by name (any case, any order; others
// are ignored): the image is `photo` (or image_path, image, path, file, filename), then
// `age` (required), `gender`, `race` (or ethnicity), `subject` (or MORPH's id_num), `deg` (or angle) and the
// face box `box1..box4` = x1, y1, x2, y2 (or x1, y1, x2, y2). Empty optional fields mean
// unknown. Relative image paths resolve against options.image_root, else the CSV's folder.
// A malformed row (wrong field count, bad number, age outside [0, 130], bad box) is an
// error naming the file and line, or skipped and counted (options.on_malformed).
ReadResult read_samples_csv(const std::string& path, const ReadOptions& options = {});

// The same for text from a stream; `path` names it in errors and is where relative image
// paths resolve (its folder) unless options.image_root is set.
ReadResult parse_samples_csv(std::istream& in, const std::string& path,
                             const ReadOptions& options = {});

// Writes the rows with the columns above, atomically. Image paths under the CSV's folder
// are written relative to it, so the folder can move as a whole. Numbers are written in
// full (shortest round-trip form): a row read back crops exactly the same pixels.
void write_samples_csv(const std::string& path, const std::vector<Sample>& samples);

// The header write_samples_csv writes (photo, age, gender, race, subject, deg, box1..box4)
// and one sample as such a line, without the line break, for writers that append rows
// one by one (data/dataset_alignment.h). `csv_folder`: where the CSV lies.
std::string samples_csv_header();
// An image path as a row names it: relative to the CSV's folder when under it, else absolute.
std::string path_for_csv(const std::string& image_path, const std::string& csv_folder);
std::string sample_csv_line(const Sample& sample, const std::string& csv_folder);

}  // namespace faceage
