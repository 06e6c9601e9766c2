#include "faceage/core/compute_threads.h"

#include <algorithm>
#include <thread>

#include <ATen/Parallel.h>

namespace faceage {

int use_compute_threads(int requested) {
  const int threads =
      requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  return threads;
}

}  // namespace faceage
