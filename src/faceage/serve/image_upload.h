#pragma once
// Turning a POST /v1/age request into a photo: which Content-Types are accepted, reading
// the body within its size limit (raw, or the "image" field of a multipart form), and
// decoding it within the pixel limit. Every refusal is an ApiError whose message tells
// the client what to change.
#include <cstddef>
#include <cstdint>
#include <string>

#include <httplib.h>
#include <opencv2/core.hpp>

namespace faceage {

enum class UploadKind {
  raw,        // the body is the image: image/*, application/octet-stream, or no Content-Type
  multipart,  // multipart/form-data with the image in the field "image"
};

// 415 for any other Content-Type (text/plain, JSON, curl's default form encoding, ...).
UploadKind upload_kind(const std::string& content_type);

// The image's bytes; 413 past max_bytes (counted after any Content-Encoding is undone, so
// a gzip bomb stops there), 400 for a body cut short, a malformed form or no "image" field.
std::string read_upload(const httplib::Request& req, const httplib::ContentReader& reader,
                        UploadKind kind, size_t max_bytes);

// Reads and drops a body that will not be used (at most max_bytes of it), so that a client
// still sending gets the refusal rather than a broken connection.
void discard_body(const httplib::ContentReader& reader, size_t max_bytes);

// The checks that need no decoding: 400 when empty, 413 when the header declares more than
// max_pixels. Cheap enough to run before a request takes a place in the queue.
void check_upload(const std::string& bytes, int64_t max_pixels);

// 8-bit BGR from bytes that passed check_upload (the route runs that before queueing):
// 413 when it decodes to more than max_pixels (formats whose header is not read), 422 when
// it is not a decodable image.
cv::Mat decode_upload(const std::string& bytes, int64_t max_pixels);

}  // namespace faceage
