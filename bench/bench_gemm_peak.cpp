// This machine's single-precision GEMM peak as LibTorch reaches it, through its two
// engines: torch::mm (OpenBLAS or MKL as linked) and oneDNN (a 1x1 convolution is a
// GEMM: n pixels x n input channels x n output channels). The higher is the yardstick
// for the achieved GFLOP/s of the model benchmarks (issue 7). Square products of several
// sizes, 1 thread and all threads, the median of timed repetitions after a warm-up.
// OpenBLAS keeps its own thread count, which torch::set_num_threads does not change,
// so it is set through faceage::set_blas_threads when the library is OpenBLAS.
//
//   bench_gemm_peak [--sizes 512 1024 2048 4096] [--repeats 7] [--json]
#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "faceage/core/compute_threads.h"

namespace {

// Median seconds of `product` after one warm-up call (thread pool, page faults, packing).
double median_seconds(const std::function<void()>& product, int repeats) {
  product();
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    product();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(seconds.begin(), seconds.begin() + repeats / 2, seconds.end());
  return seconds[repeats / 2];
}

// One n x n x n product through torch::mm.
double blas_seconds(int64_t n, int repeats) {
  const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  torch::Tensor c = torch::empty({n, n});
  return median_seconds([&] { torch::mm_out(c, a, b); }, repeats);
}

// The same product as oneDNN's 1x1 convolution over n pixels (a 32-wide image), in
// oneDNN's own layout with the weights reordered once, as the inference plans run.
double onednn_seconds(int64_t n, int repeats) {
  const torch::Tensor image = torch::randn({1, n, n / 32, 32}).to_mkldnn();
  const torch::Tensor weight =
      at::mkldnn_reorder_conv2d_weight(torch::randn({n, n, 1, 1}).to_mkldnn(), {0, 0}, {1, 1},
                                      {1, 1}, 1);
  return median_seconds([&] { torch::conv2d(image, weight); }, repeats);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-precision GEMM GFLOP/s through torch::mm (BLAS) and oneDNN"};
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
  if (!json) std::cout << "engine   threads   size   ms/product   GFLOP/s\n";
  for (const std::string engine : {"blas", "onednn"}) {
    for (int threads : thread_counts) {
      faceage::use_compute_threads(threads);
      if (engine == "blas" && !faceage::set_blas_threads(threads) && threads != all_threads) continue;
      for (int64_t n : sizes) {
        const double seconds = engine == "blas" ? blas_seconds(n, repeats) : onednn_seconds(n, repeats);
        const double gflops = 2.0 * static_cast<double>(n) * n * n / seconds / 1e9;
        if (threads == all_threads) peak = std::max(peak, gflops);
        results.push_back({{"engine", engine}, {"threads", threads}, {"size", n},
                           {"seconds", seconds}, {"gflops", gflops}});
        if (!json)
          std::cout << fmt::format("{:6} {:9d} {:6d} {:12.2f} {:9.1f}\n", engine, threads, n,
                                   seconds * 1e3, gflops);
      }
    }
  }
  if (json)
    std::cout << nlohmann::json{{"results", results}, {"peak_gflops", peak}}.dump() << "\n";
  else
    std::cout << fmt::format("peak with {} threads: {:.1f} GFLOP/s\n", all_threads, peak);
  return 0;
}
