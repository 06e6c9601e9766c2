#include "faceage/core/compute_threads.h"

#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <ATen/Parallel.h>


namespace faceage {
namespace {

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<long long> whole_number(std::string_view text) {
  text = trimmed(text);
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> cpus_from_quota(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return std::nullopt;  // -1: unlimited
  return static_cast<int>(std::max(1LL, (quota + period - 1) / period));
}

std::optional<std::string> file_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<int> smaller(std::optional<int> a, std::optional<int> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// The quota of the cgroup at `relative` (e.g. "/a/b") under `root` and of each of its
// ancestors: a container sees its own cgroup as the root, a systemd unit a nested path.
template <typename ReadQuota>
std::optional<int> smallest_quota_along(const std::string& root, std::string relative,
                                        ReadQuota read_quota) {
  std::optional<int> result;
  while (true) {
    result = smaller(result, read_quota(root + relative));
    if (relative.empty() || relative == "/") break;
    const auto slash = relative.rfind('/');
    relative = slash == std::string::npos ? std::string() : relative.substr(0, slash);
  }
  return result;
}

// The cgroup path of this process for a v1 controller list containing `controller`, or
// for the v2 hierarchy when `controller` is empty ("0::/path").
std::optional<std::string> own_cgroup(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controller.empty() ? controllers.empty() : ("," + controllers + ",").find("," + controller + ",") != std::string::npos)
      return path;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> cpus_from_cgroup_v2(std::string_view cpu_max) {
  cpu_max = trimmed(cpu_max);
  const auto space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto quota = whole_number(cpu_max.substr(0, space));  // "max" -> no number
  const auto period = whole_number(cpu_max.substr(space + 1));
  if (!quota || !period) return std::nullopt;
  return cpus_from_quota(*quota, *period);
}

std::optional<int> cpus_from_cgroup_v1(std::string_view quota_us, std::string_view period_us) {
  const auto quota = whole_number(quota_us);
  const auto period = whole_number(period_us);
  if (!quota || !period) return std::nullopt;
  return cpus_from_quota(*quota, *period);
}

std::optional<int> cgroup_cpu_quota() {
  std::optional<int> result;
  if (const auto v2 = own_cgroup("")) {
    result = smaller(result, smallest_quota_along("/sys/fs/cgroup", *v2, [](const std::string& dir) {
      const auto text = file_text(dir + "/cpu.max");
      return text ? cpus_from_cgroup_v2(*text) : std::nullopt;
    }));
  }
  if (const auto v1 = own_cgroup("cpu")) {
    for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
      result = smaller(result, smallest_quota_along(mount, *v1, [](const std::string& dir) {
        const auto quota = file_text(dir + "/cpu.cfs_quota_us");
        const auto period = file_text(dir + "/cpu.cfs_period_us");
        return quota && period ? cpus_from_cgroup_v1(*quota, *period) : std::nullopt;
      }));
    }
  }
  return result;
}

int affinity_cpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) return std::max(1, CPU_COUNT(&mask));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int usable_cpus() {
  int cpus = affinity_cpus();
  if (const auto quota = cgroup_cpu_quota()) cpus = std::min(cpus, *quota);
  return std::max(1, cpus);
}

bool set_blas_threads(int threads) {
  // Looked up at run time: LibTorch may be built against MKL or another BLAS.
  using SetThreads = void (*)(int);
  auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set != nullptr) set(threads);
  return set != nullptr;
}

int use_compute_threads(int requested) {
  const int threads = requested > 0 ? requested : usable_cpus();
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) set_blas_threads(1);
  return threads;
}

}  // namespace faceage
