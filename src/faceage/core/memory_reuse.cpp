#include "faceage/core/memory_reuse.h"

#include <climits>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace faceage {

bool keep_freed_memory_for_reuse() {
  const char* setting = std::getenv("FACEAGE_KEEP_FREED_MEMORY");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return false;
#if defined(__GLIBC__)
  // No mmap for large blocks (they would be unmapped on free), and no trimming of the
  // heap's free top: freed activations stay mapped for the next pass.
  static const bool applied = mallopt(M_MMAP_MAX, 0) == 1 &&
                              mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1 &&
                              mallopt(M_TOP_PAD, 64 << 20) == 1;
  return applied;
#else
  return false;
#endif
}

bool return_freed_memory() {
#if defined(__GLIBC__)
  return malloc_trim(0) == 1;
#else
  return false;
#endif
}

}  // namespace faceage
