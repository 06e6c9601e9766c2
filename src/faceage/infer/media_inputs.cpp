#include "faceage/infer/media_inputs.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

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

std::vector<MediaInput> list_media(const std::vector<std::string>& paths) {
  std::vector<MediaInput> inputs;
  for (const std::string& path : paths) {
    const std::string camera = path.rfind("camera:", 0) == 0 ? path.substr(7) : path;
    if (all_digits(camera) && (camera != path || !fs::exists(path))) {
      inputs.push_back({MediaKind::camera, path, std::stoi(camera)});
      continue;
    }
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error), end;
           !error && it != end; it.increment(error))
        if (it->is_regular_file(error) &&
            (has_image_extension(it->path().string()) || has_video_extension(it->path().string())))
          found.push_back(it->path().string());
      if (error) fail("{}: cannot list the folder: {}", path, error.message());
      std::sort(found.begin(), found.end());
      for (const std::string& file : found) inputs.push_back(file_input(file));
    } else if (fs::exists(path, error)) {
      inputs.push_back(file_input(path));
    } else {
      fail("{}: no such file, folder or camera", path);
    }
  }
  return inputs;
}

}  // namespace faceage
