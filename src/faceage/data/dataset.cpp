#include "faceage/data/dataset.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "faceage/data/csv_fields.h"
#include "faceage/data/fgnet_reader.h"
#include "faceage/data/megaage_reader.h"
#include "faceage/data/morph_reader.h"
#include "faceage/data/sample_csv.h"
#include "faceage/data/utkface_reader.h"

namespace faceage {
namespace fs = std::filesystem;
namespace {

const std::vector<std::pair<std::string, DatasetFormat>>& format_names() {
  static const std::vector<std::pair<std::string, DatasetFormat>> kNames = {
      {"auto", DatasetFormat::automatic}, {"csv", DatasetFormat::csv},
      {"utkface", DatasetFormat::utkface}, {"fgnet", DatasetFormat::fgnet},
      {"morph", DatasetFormat::morph},     {"megaage", DatasetFormat::megaage}};
  return kNames;
}

bool csv_header_has(const std::string& path, const std::string& column) {
  std::ifstream in(path);
  std::string header;
  if (!std::getline(in, header)) return false;
  for (const std::string& field : split_csv_line(header))
    if (to_lower(trim(field)) == column) return true;
  return false;
}

DatasetFormat format_from_image_names(const std::string& folder) {
  size_t seen = 0, utkface = 0, fgnet = 0, morph = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string extension = to_lower(entry.path().extension().string());
    if (extension != ".jpg" && extension != ".jpeg" && extension != ".png") continue;
    utkface += parse_utkface_name(name).labels.has_value();
    fgnet += parse_fgnet_name(name).has_value();
    morph += parse_morph_name(name).has_value();
    if (++seen == 200) break;
  }
  const size_t best = std::max({utkface, fgnet, morph});
  if (seen == 0 || best * 2 <= seen)
    fail("{}: cannot tell the dataset format from the image names: put the labels in {} "
         "(photo,age[,gender,...]) inside the folder, or name the format (csv, utkface, fgnet, "
         "morph, megaage)", folder, kLabelsFile);
  if (best == utkface) return DatasetFormat::utkface;
  return best == fgnet ? DatasetFormat::fgnet : DatasetFormat::morph;
}

}  // namespace

DatasetFormat dataset_format_from_name(const std::string& name) {
  const std::string lower = to_lower(trim(name));
  for (const auto& [known, format] : format_names())
    if (known == lower) return format;
  fail("unknown dataset format '{}': expected auto, csv, utkface, fgnet, morph or megaage", name);
}

std::string dataset_format_name(DatasetFormat format) {
  for (const auto& [name, known] : format_names())
    if (known == format) return name;
  return "unknown";
}

DatasetFormat detect_dataset_format(const std::string& path) {
  if (!fs::exists(path)) fail("{}: no such file or folder", path);
  if (!fs::is_directory(path)) {
    if (to_lower(fs::path(path).extension().string()) != ".csv")
      fail("{}: not a folder and not a .csv file; cannot read it as a dataset", path);
    return csv_header_has(path, "id_num") ? DatasetFormat::morph : DatasetFormat::csv;
  }
  if (fs::exists(fs::path(path) / "list" / "train_name.txt")) return DatasetFormat::megaage;
  if (fs::exists(fs::path(path) / kLabelsFile)) return DatasetFormat::csv;
  return format_from_image_names(path);
}

std::string labels_csv_of(const std::string& path) {
  if (!fs::is_directory(path)) return path;
  const fs::path labels = fs::path(path) / kLabelsFile;
  if (!fs::exists(labels))
    fail("{}: a folder read as a CSV dataset needs its labels in {} (photo,age[,gender,...])",
         path, kLabelsFile);
  return labels.string();
}

ReadResult read_dataset(const DatasetSource& source, const ReadOptions& options) {
  const DatasetFormat format = source.format == DatasetFormat::automatic
                                   ? detect_dataset_format(source.path)
                                   : source.format;
  switch (format) {
    case DatasetFormat::csv: return read_samples_csv(labels_csv_of(source.path), options);
    case DatasetFormat::utkface: return read_utkface(source.path, options);
    case DatasetFormat::fgnet: return read_fgnet(source.path, options);
    case DatasetFormat::morph: return read_morph(source.path, options);
    case DatasetFormat::megaage: return read_megaage(source.path, source.split, options);
    case DatasetFormat::automatic: break;
  }
  fail("{}: no reader for this dataset format", source.path);
}

}  // namespace faceage
