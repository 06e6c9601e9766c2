#pragma once
// MORPH (Album 2): either the CSV as distributed (id_num, picture_num, dob, doa, race,
// gender, facial_hair, age, age_diff, glasses, photo; race as W/B/A/H/O, gender as M/F)
// or a folder of images named {subject}_{picture}{M|F}{age}.JPG, e.g. 003299_00M21.JPG.
// Every sample has a subject, for subject-disjoint splits.
#include <optional>
#include <string>

#include "faceage/data/read_report.h"

namespace faceage {

struct MorphName {
  std::string subject;  // "003299"
  int gender = 0;       // 0 male, 1 female
  int age = 0;
};
std::optional<MorphName> parse_morph_name(const std::string& file_name);

// A .csv file is read with read_samples_csv's column rules (id_num is the subject);
// a folder is read from the file names (race unknown). Rows whose subject the CSV leaves
// empty take it from the image's file name.
ReadResult read_morph(const std::string& csv_or_folder, const ReadOptions& options = {});

}  // namespace faceage
