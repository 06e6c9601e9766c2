#include "faceage/serve/serve_options.h"

#include "faceage/core/error.h"
#include "faceage/io/image_header.h"

namespace faceage {

int http_thread_count(const ServeOptions& o) {
  return o.http_threads > 0 ? o.http_threads : o.max_queue + o.max_batch + 8;
}

void validate(const ServeOptions& o) {
  if (o.host.empty()) fail("serve: the host to listen on is empty");
  if (o.port < 0 || o.port > 65535) fail("serve: port {} is not 0..65535", o.port);
  if (o.http_threads < 0) fail("serve: {} HTTP threads; 0 (automatic) or more", o.http_threads);
  if (o.max_body_bytes < 1) fail("serve: the body limit must be at least 1 byte");
  if (o.max_pixels < 1) fail("serve: the pixel limit must be at least 1");
  // The decoder has a process-wide limit of its own; a larger one here would never apply.
  if (o.max_pixels > max_image_pixels())
    fail("serve: --max-pixels {} is over the decoder's limit of {}; raise FACEAGE_MAX_IMAGE_PIXELS "
         "as well", o.max_pixels, max_image_pixels());
  if (o.max_batch < 1) fail("serve: batch size {} must be at least 1", o.max_batch);
  if (o.max_queue < 1) fail("serve: queue depth {} must be at least 1", o.max_queue);
  if (o.batch_wait.count() < 0) fail("serve: the batch wait cannot be negative");
  if (o.retry_after_s < 0) fail("serve: Retry-After cannot be negative");
  if (o.read_timeout_s < 1) fail("serve: the read timeout must be at least 1 s");
  if (o.request_timeout_s < 1) fail("serve: the request timeout must be at least 1 s");
  if (o.max_connections < 1) fail("serve: --max-connections {} must be at least 1", o.max_connections);
}

}  // namespace faceage
