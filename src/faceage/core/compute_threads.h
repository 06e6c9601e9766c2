#pragma once
#include <optional>
#include <string_view>

namespace faceage {

// Sets LibTorch's intra-op thread count. `requested` <= 0 means usable_cpus(): the CPUs
// this process may really run on (LibTorch's own default counts physical cores, which
// leaves half of a hyperthreaded 2-vCPU machine idle; hardware_concurrency ignores the
// affinity mask and a container's CPU quota, and more threads than CPUs make OpenMP's
// barriers wait on descheduled threads).
// Also makes OpenBLAS single-threaded (unless $OPENBLAS_NUM_THREADS says otherwise):
// LibTorch's threads already split the work, and OpenBLAS's own pool spin-waits on the
// same cores after every product (MTCNN detection ran 1.1-1.7x faster without it; the
// backbones' convolutions are oneDNN's and did not change). Returns the count in effect.
int use_compute_threads(int requested);

// OpenBLAS's own thread count, when LibTorch is linked against OpenBLAS (returns false
// otherwise: MKL, or a BLAS without openblas_set_num_threads).
bool set_blas_threads(int threads);

// The CPUs this process may use: the smaller of its affinity mask (sched_getaffinity;
// taskset, cpusets) and its cgroup CPU quota rounded up; at least 1.
int usable_cpus();

// CPUs in this thread's affinity mask (hardware_concurrency if it cannot be read).
int affinity_cpus();

// The CPU quota of a cgroup v2 `cpu.max` file's text ("150000 100000" -> 2: ceil of
// quota / period); nullopt for "max ..." (no limit) or text that is not a quota.
std::optional<int> cpus_from_cgroup_v2(std::string_view cpu_max);

// The same for cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us texts ("-1": no limit).
std::optional<int> cpus_from_cgroup_v1(std::string_view quota_us, std::string_view period_us);

// The quota of this process's cgroup and its ancestors (the smallest), nullopt if none.
std::optional<int> cgroup_cpu_quota();

}  // namespace faceage
