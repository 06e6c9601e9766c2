#include "faceage/infer/media_inputs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "faceage/core/error.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

MediaInput file_input(const std::string& path) {
  return {has_video_extension(path) ? MediaKind::video : MediaKind::image, path, -1};
}

// Why a folder entry (not a folder) is not tried, or "" when it is a photo or video.
std::string skip_reason(const fs::directory_entry& entry) {
  std::error_code error;
  const fs::file_status target = entry.status(error);  // follows symbolic links
  if (entry.is_symlink(error) && !fs::exists(target)) return "broken symbolic link";
  if (error && !fs::exists(target)) return fmt::format("cannot read: {}", error.message());
  if (!fs::is_regular_file(target)) return "not a regular file";
  const std::string path = entry.path().string();
  if (!has_image_extension(path) && !has_video_extension(path)) {
    const std::string ext = lower_extension(path);
    return ext.empty() ? "unsupported format (no extension)"
                       : fmt::format("unsupported format ({})", ext);
  }
  return "";
}

// Every file under `dir`, one folder at a time so that an unlistable subfolder is named
// and skipped instead of ending (or silently thinning) the whole listing.
void walk(const fs::path& dir, std::vector<std::string>& found, std::vector<SkippedMedia>& skipped,
          std::set<fs::path>& visited) {
  std::error_code error;
  const fs::path canonical = fs::canonical(dir, error);
  if (!error && !visited.insert(canonical).second) return;  // a link back up the tree
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
    entries.push_back(*it);
  if (error) {
    skipped.push_back({dir.string(), fmt::format("cannot list the folder: {}", error.message())});
    return;
  }
  for (const fs::directory_entry& entry : entries) {
    std::error_code kind_error;
    if (entry.is_directory(kind_error)) {
      walk(entry.path(), found, skipped, visited);
      continue;
    }
    const std::string reason = skip_reason(entry);
    if (reason.empty())
      found.push_back(entry.path().string());
    else
      skipped.push_back({entry.path().string(), reason});
  }
}

}  // namespace

bool has_image_extension(const std::string& path) {
  static const std::set<std::string> kImages = {".jpg", ".jpeg", ".png", ".bmp", ".webp",
                                                ".tif", ".tiff", ".pgm", ".ppm"};
  return kImages.count(lower_extension(path)) > 0;
}

bool has_video_extension(const std::string& path) {
  static const std::set<std::string> kVideos = {".mp4", ".avi", ".mov", ".mkv", ".webm",
                                                ".m4v", ".mpg", ".mpeg", ".wmv"};
  return kVideos.count(lower_extension(path)) > 0;
}

MediaListing find_media(const std::vector<std::string>& paths) {
  MediaListing listing;
  for (const std::string& path : paths) {
    const std::string camera = path.rfind("camera:", 0) == 0 ? path.substr(7) : path;
    if (all_digits(camera) && (camera != path || !fs::exists(path))) {
      listing.inputs.push_back({MediaKind::camera, path, std::stoi(camera)});
      continue;
    }
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      std::vector<SkippedMedia> skipped;
      std::set<fs::path> visited;
      walk(path, found, skipped, visited);
      std::sort(found.begin(), found.end());
      std::sort(skipped.begin(), skipped.end(),
                [](const SkippedMedia& a, const SkippedMedia& b) { return a.path < b.path; });
      if (found.empty()) listing.empty_arguments.push_back(path);
      for (const std::string& file : found) listing.inputs.push_back(file_input(file));
      listing.skipped.insert(listing.skipped.end(), skipped.begin(), skipped.end());
    } else if (fs::exists(path, error)) {
      listing.inputs.push_back(file_input(path));
    } else if (fs::is_symlink(fs::symlink_status(path, error))) {
      fail("{}: broken symbolic link", path);
    } else {
      fail("{}: no such file, folder or camera", path);
    }
  }
  return listing;
}

std::vector<MediaInput> list_media(const std::vector<std::string>& paths) {
  return find_media(paths).inputs;
}

}  // namespace faceage
