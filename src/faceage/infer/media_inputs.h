#pragma once
// What the user pointed `faceage predict` at, sorted into photos, videos and cameras:
// folders are searched recursively (sorted, so runs are reproducible). Nothing found in a
// folder is dropped silently: every entry that is not tried is listed with the reason.
#include <string>
#include <vector>

namespace faceage {

enum class MediaKind { image, video, camera };

struct MediaInput {
  MediaKind kind = MediaKind::image;
  std::string path;      // file path; for a camera its spelling, e.g. "camera:0"
  int camera_index = -1;
};

// A folder entry that is not tried, or a folder argument that yielded nothing.
struct SkippedMedia {
  std::string path;
  std::string reason;  // e.g. "unsupported format (.gif)", "broken symbolic link"
};

struct MediaListing {
  std::vector<MediaInput> inputs;
  std::vector<SkippedMedia> skipped;  // in folders: unsupported, broken links, unlistable
  // Arguments that yielded no photo or video at all (an empty folder, a folder named
  // x.jpg holding nothing): one line each, naming the argument.
  std::vector<std::string> empty_arguments;
};

// Images by extension (jpg, jpeg, png, bmp, webp, tif, tiff, pgm, ppm), videos (mp4, avi,
// mov, mkv, webm, m4v, mpg, mpeg, wmv); "camera:N" or a bare number that is not a file is a
// camera. Any other existing file named as an argument is tried as an image (its decoder
// then says what is wrong); in a folder it is skipped and listed. A path that does not
// exist throws faceage::Error naming it.
MediaListing find_media(const std::vector<std::string>& paths);

// find_media's inputs only, for tools that do not report what was skipped.
std::vector<MediaInput> list_media(const std::vector<std::string>& paths);

bool has_image_extension(const std::string& path);
bool has_video_extension(const std::string& path);

}  // namespace faceage
