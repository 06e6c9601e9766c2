// The default thread count follows the CPUs a process may use (affinity mask, cgroup
// quota), and idle OpenMP workers sleep instead of spinning.
#include "faceage/core/compute_threads.h"
#include "faceage/core/thread_wait_policy.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {

TEST(CgroupQuota, V2CpuMaxRoundsUpQuotaOverPeriod) {
  EXPECT_EQ(cpus_from_cgroup_v2("200000 100000\n"), 2);
  EXPECT_EQ(cpus_from_cgroup_v2("150000 100000"), 2);  // 1.5 CPUs: two threads, not one
  EXPECT_EQ(cpus_from_cgroup_v2("50000 100000\n"), 1);
  EXPECT_EQ(cpus_from_cgroup_v2("  400000 100000  "), 4);
}

TEST(CgroupQuota, V2UnlimitedOrMalformedIsNoQuota) {
  EXPECT_EQ(cpus_from_cgroup_v2("max 100000\n"), std::nullopt);
  EXPECT_EQ(cpus_from_cgroup_v2(""), std::nullopt);
  EXPECT_EQ(cpus_from_cgroup_v2("100000"), std::nullopt);
  EXPECT_EQ(cpus_from_cgroup_v2("abc def"), std::nullopt);
  EXPECT_EQ(cpus_from_cgroup_v2("100000 0"), std::nullopt);
}

TEST(CgroupQuota, V1QuotaAndPeriodFiles) {
  // Written to files and read back, as cgroup_cpu_quota reads them.
  const std::string dir = testing::temp_dir("cgroup_v1");
  std::ofstream(dir + "/cpu.cfs_quota_us") << "300000\n";
  std::ofstream(dir + "/cpu.cfs_period_us") << "100000\n";
  auto read = [&](const std::string& name) {
    std::ifstream in(dir + "/" + name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(cpus_from_cgroup_v1(read("cpu.cfs_quota_us"), read("cpu.cfs_period_us")), 3);
  EXPECT_EQ(cpus_from_cgroup_v1("-1\n", "100000\n"), std::nullopt);  // unlimited
  EXPECT_EQ(cpus_from_cgroup_v1("250000", "100000"), 3);
  EXPECT_EQ(cpus_from_cgroup_v1("x", "100000"), std::nullopt);
}

TEST(UsableCpus, NeverMoreThanTheAffinityMaskNorLessThanOne) {
  EXPECT_GE(usable_cpus(), 1);
  EXPECT_LE(usable_cpus(), affinity_cpus());
  if (const auto quota = cgroup_cpu_quota()) EXPECT_LE(usable_cpus(), *quota);
}

// Run as a child under `taskset -c 0` by the next test: prints what it sees.
TEST(UsableCpus, PrintForParent) {
  if (std::getenv("FACEAGE_PRINT_USABLE_CPUS") == nullptr) GTEST_SKIP() << "child helper";
  std::printf("usable_cpus=%d default_threads=%d\n", usable_cpus(), use_compute_threads(0));
}

TEST(UsableCpus, FollowsTheAffinityMaskOfTaskset) {
  if (testing::run_command("command -v taskset").exit_code != 0) GTEST_SKIP() << "no taskset";
  char self[4096];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(length, 0);
  self[length] = '\0';
  const auto result = testing::run_command(
      std::string("FACEAGE_PRINT_USABLE_CPUS=1 taskset -c 0 '") + self +
      "' --gtest_filter=UsableCpus.PrintForParent 2>&1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("usable_cpus=1 default_threads=1"), std::string::npos)
      << result.output;
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec * 1e-6;
}

TEST(ThreadWaitPolicy, IdleWorkersDoNotSpinBetweenParallelRegions) {
  // 100 short parallel regions 5 ms apart: workers spinning libgomp's default 300000 polls
  // would burn about one CPU second per extra thread over the half second; workers that
  // spin kIdleSpinCount polls and sleep, next to nothing.
  if (std::string(std::getenv("GOMP_SPINCOUNT") ? std::getenv("GOMP_SPINCOUNT") : "") != kIdleSpinCount)
    GTEST_SKIP() << "the environment chose another wait policy";
  at::set_num_threads(2);
  std::vector<float> values(4096, 1.0f);
  const double before = process_cpu_seconds();
  for (int i = 0; i < 100; ++i) {
    at::parallel_for(0, static_cast<int64_t>(values.size()), 1, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) values[j] = values[j] * 1.0001f;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double used = process_cpu_seconds() - before;
  EXPECT_LT(used, 0.15) << "CPU seconds over ~0.5 s of mostly idle parallel regions";
}

TEST(ThreadWaitPolicy, TheFaceageCommandStartsLibgompWithAShortSpin) {
  // OMP_DISPLAY_ENV=verbose makes libgomp print its settings when it starts: the first
  // start (before the re-execution) shows the default, the one that runs ours.
  const auto result = testing::run_command("env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT "
                                           "OMP_DISPLAY_ENV=verbose '" + testing::cli_path() +
                                           "' --help 2>&1");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::regex spin("GOMP_SPINCOUNT = '([0-9]+)'");
  std::string last;
  for (auto it = std::sregex_iterator(result.output.begin(), result.output.end(), spin);
       it != std::sregex_iterator(); ++it)
    last = (*it)[1];
  EXPECT_EQ(last, kIdleSpinCount) << result.output.substr(0, 2000);
}

}  // namespace
}  // namespace faceage
