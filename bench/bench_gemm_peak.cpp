// This machine's single-precision GEMM peak as LibTorch reaches it (torch::mm, so
// OpenBLAS or MKL as linked): the yardstick for the achieved GFLOP/s of the model
// benchmarks (issue 7). Square products of several sizes, 1 thread and all threads, the
// median of timed repetitions after a warm-up.
//
//   bench_gemm_peak [--sizes 512 1024 2048 4096] [--repeats 7] [--json]
#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "faceage/core/compute_threads.h"

namespace {

// Median seconds of one n x n x n product.
double median_seconds(int64_t n, int repeats) {
  const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  torch::Tensor c = torch::empty({n, n});
  torch::mm_out(c, a, b);  // warm-up: thread pool, page faults, packing buffers
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    torch::mm_out(c, a, b);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + repeats / 2, seconds.end());
  return seconds[repeats / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-precision GEMM GFLOP/s through torch::mm"};
  std::vector<int64_t> sizes = {512, 1024, 2048, 4096};
  int repeats = 7;
  bool json = false;
  app.add_option("--sizes", sizes, "Square matrix sizes");
  app.add_option("--repeats", repeats, "Timed repetitions per size (the median is reported)")
      ->check(CLI::Range(1, 1000));
  app.add_flag("--json", json, "One JSON object instead of a table");
  CLI11_PARSE(app, argc, argv);

  const int all_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> thread_counts = {1};
  if (all_threads > 1) thread_counts.push_back(all_threads);
  nlohmann::json results = nlohmann::json::array();
  double peak = 0;
  if (!json) std::cout << "threads   size   ms/product   GFLOP/s\n";
  for (int threads : thread_counts) {
    faceage::use_compute_threads(threads);
    for (int64_t n : sizes) {
      const double seconds = median_seconds(n, repeats);
      const double gflops = 2.0 * static_cast<double>(n) * n * n / seconds / 1e9;
      if (threads == all_threads) peak = std::max(peak, gflops);
      results.push_back({{"threads", threads}, {"size", n}, {"seconds", seconds}, {"gflops", gflops}});
      if (!json) std::cout << fmt::format("{:7d} {:6d} {:12.2f} {:9.1f}\n", threads, n, seconds * 1e3, gflops);
    }
  }
  if (json)
    std::cout << nlohmann::json{{"results", results}, {"peak_gflops", peak}}.dump() << "\n";
  else
    std::cout << fmt::format("peak with {} threads: {:.1f} GFLOP/s\n", all_threads, peak);
  return 0;
}
