#pragma once
// MegaAge and MegaAge-Asian: the split is given by the dataset,
//   FOLDER/list/{split}_name.txt   one image file name per line
//   FOLDER/list/{split}_age.txt    the age on the same line number
//   FOLDER/{split}/{name}          the image
// with split "train" or "test". options.image_root, when set, replaces FOLDER/{split}.
#include <string>

#include "faceage/data/read_report.h"

namespace faceage {

ReadResult read_megaage(const std::string& folder, const std::string& split,
                        const ReadOptions& options = {});

}  // namespace faceage
