#pragma once
// What the user pointed `faceage predict` at, sorted into photos, videos and cameras:
// folders are searched recursively (sorted, so runs are reproducible).
#include <string>
#include <vector>

namespace faceage {

enum class MediaKind { image, video, camera };

struct MediaInput {
  MediaKind kind = MediaKind::image;
  std::string path;      // file path; for a camera its spelling, e.g. "camera:0"
  int camera_index = -1;
};

// Images by extension (jpg, jpeg, png, bmp, webp, tif, tiff, pgm, ppm), videos (mp4, avi,
// mov, mkv, webm, m4v, mpg, mpeg, wmv); "camera:N" or a bare number that is not a file is a
// camera. Any other existing file is tried as an image (its decoder then says what is
// wrong). A path that does not exist throws faceage::Error naming it.
std::vector<MediaInput> list_media(const std::vector<std::string>& paths);

bool has_image_extension(const std::string& path);
bool has_video_extension(const std::string& path);

}  // namespace faceage
