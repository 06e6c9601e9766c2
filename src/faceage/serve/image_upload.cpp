#include "faceage/serve/image_upload.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/io/image.h"
#include "faceage/io/image_header.h"
#include "faceage/serve/json_reply.h"

namespace faceage {
namespace {

// "Image/JPEG; charset=x" -> "image/jpeg".
std::string media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

[[noreturn]] void refuse_size(size_t max_bytes) {
  throw ApiError(413, fmt::format("the request body is over this server's limit of {} bytes "
                                  "(--max-body-bytes)", max_bytes));
}

bool declares_too_long(const httplib::Request& req, size_t max_bytes) {
  if (!req.has_header("Content-Length")) return false;
  try {
    return std::stoull(req.get_header_value("Content-Length")) > max_bytes;
  } catch (const std::exception&) {
    return false;  // an unreadable length: httplib has already refused it as a bad body
  }
}

[[noreturn]] void refuse_pixels(int width, int height, int64_t max_pixels) {
  throw ApiError(413, fmt::format("the image is {}x{} pixels, over this server's limit of {} "
                                  "pixels (--max-pixels)", width, height, max_pixels));
}

}  // namespace

UploadKind upload_kind(const std::string& content_type) {
  const std::string type = media_type(content_type);
  if (type == "multipart/form-data") return UploadKind::multipart;
  if (type.empty() || type == "application/octet-stream" || type.rfind("image/", 0) == 0)
    return UploadKind::raw;
  throw ApiError(415, fmt::format(
      "Content-Type '{}' is not an image: send the photo's bytes as image/jpeg, image/png "
      "(any image/*) or application/octet-stream, or as multipart/form-data with the field "
      "'image' (curl: -H 'Content-Type: image/jpeg' --data-binary @photo.jpg, or -F image=@photo.jpg)",
      content_type));
}

std::string read_upload(const httplib::Request& req, const httplib::ContentReader& reader,
                        UploadKind kind, size_t max_bytes) {
  std::string image;
  size_t received = 0;
  bool too_large = false;
  // Every byte counts against the limit, whichever form field it belongs to. Past it the
  // rest is read and dropped, up to a bound: a client still sending when the 413 and the
  // close come gets a reset instead of the answer (seen with chunked uploads), so a body
  // somewhat over the limit is let through to its end; a far larger one is cut off (and
  // --request-timeout bounds the time either way).
  const size_t drain_limit = max_bytes * 4 + (size_t{1} << 20);
  const auto take = [&](const char* data, size_t n, bool keep) {
    received += n;
    if (received > max_bytes) {
      if (!too_large) std::string().swap(image);  // what was kept is of no use now
      too_large = true;
      return received <= drain_limit;
    }
    if (keep) image.append(data, n);
    return true;
  };
  bool complete = false;
  bool found = false, in_image = false;
  if (kind == UploadKind::raw) {
    complete = reader([&](const char* data, size_t n) { return take(data, n, true); });
  } else {
    complete = reader(
        [&](const httplib::MultipartFormData& part) {
          in_image = part.name == "image" && !found;  // the first "image" field only
          found = found || in_image;
          return true;
        },
        [&](const char* data, size_t n) { return take(data, n, in_image); });
  }
  // httplib refuses a Content-Length over the limit itself, before reading the body.
  if (too_large || declares_too_long(req, max_bytes)) refuse_size(max_bytes);
  if (!complete)
    throw ApiError(400, kind == UploadKind::multipart
                            ? "the multipart/form-data body is malformed or cut short"
                            : "the request body was cut short or could not be read");
  if (kind == UploadKind::multipart && !found)
    throw ApiError(400, "the multipart/form-data body has no field named 'image'");
  return image;
}

void discard_body(const httplib::ContentReader& reader, size_t max_bytes) {
  size_t received = 0;
  reader([&](const char*, size_t n) { return (received += n) <= max_bytes; });
}

void check_upload(const std::string& bytes, int64_t max_pixels) {
  if (bytes.empty())
    throw ApiError(400, "the request body is empty: send the photo's bytes (JPEG, PNG, ...)");
  // From the header: a decompression bomb is refused before its pixels take any memory.
  if (const std::optional<cv::Size> size = declared_image_size(bytes))
    if (int64_t{size->width} * size->height > max_pixels)
      refuse_pixels(size->width, size->height, max_pixels);
}

cv::Mat decode_upload(const std::string& bytes, int64_t max_pixels) {
  cv::Mat image;
  try {
    image = decode_image(bytes, "the request body");
  } catch (const Error& e) {
    throw ApiError(422, e.what());
  }
  // Formats whose header is not read (TIFF, ...) are checked once decoded.
  if (int64_t{image.cols} * image.rows > max_pixels) refuse_pixels(image.cols, image.rows, max_pixels);
  return image;
}

}  // namespace faceage
