#pragma once
// One entry point for every dataset format: the trainer, `faceage eval` and
// `faceage augment-preview` read any supported dataset through read_dataset().
#include <string>

#include "faceage/data/read_report.h"

namespace faceage {

enum class DatasetFormat { automatic, csv, utkface, fgnet, morph, megaage };

// "auto", "csv", "utkface", "fgnet", "morph", "megaage" (MegaAge-Asian has the same
// layout); throws faceage::Error listing these for anything else.
DatasetFormat dataset_format_from_name(const std::string& name);
std::string dataset_format_name(DatasetFormat format);

struct DatasetSource {
  std::string path;  // a CSV file or a dataset folder
  DatasetFormat format = DatasetFormat::automatic;
  std::string split = "train";  // MegaAge's given split: train or test
};

// A photo dataset of any naming as a folder: its labels in this CSV inside it (photo,age
// and optional columns, data/sample_csv.h), photo paths relative to the folder.
inline constexpr const char* kLabelsFile = "labels.csv";

// What `automatic` resolves to: a .csv file is MORPH's CSV when its header has id_num,
// else our/the reference's CSV; a folder with list/train_name.txt is MegaAge; a folder
// with labels.csv is that CSV; otherwise the folder's image names decide (UTKFace, FG-NET
// or MORPH, by majority of the first 200 names). Throws faceage::Error when nothing fits.
DatasetFormat detect_dataset_format(const std::string& path);

// The CSV a csv-format dataset path names: the path itself, or a folder's labels.csv.
std::string labels_csv_of(const std::string& path);

ReadResult read_dataset(const DatasetSource& source, const ReadOptions& options = {});

}  // namespace faceage
