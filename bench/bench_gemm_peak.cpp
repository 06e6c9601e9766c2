// This machine's single-precision GEMM peak as LibTorch reaches it, through its two
// engines: torch::mm (OpenBLAS or MKL as linked) and oneDNN (a 1x1 convolution is a
// GEMM: n pixels x n input channels x n output channels). The higher is the yardstick
// for the achieved GFLOP/s of the model benchmarks (issue 7). With oneDNN's own API
// (libdnnl-dev) also the int8 peak: u8 x s8 products summed in int32 (AVX-512 VNNI), the
// yardstick of the int8 chain (issue 20). Square products of several sizes, 1 thread and
// all threads, the median of timed repetitions after a warm-up.
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

#ifdef FACEAGE_WITH_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

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

#ifdef FACEAGE_WITH_ONEDNN
// One n x n x n u8 x s8 product summed in int32, weights in the layout oneDNN asks for.
double int8_seconds(int64_t n, int repeats) {
  using dnnl::memory;
  const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const memory::desc a({n, n}, memory::data_type::u8, memory::format_tag::ab);
  const memory::desc b({n, n}, memory::data_type::s8, memory::format_tag::any);
  const memory::desc c({n, n}, memory::data_type::s32, memory::format_tag::ab);
  const dnnl::matmul::primitive_desc product(dnnl::matmul::desc(a, b, c), engine);
  memory a_memory(a, engine), b_memory(product.weights_desc(), engine), c_memory(c, engine);
  std::fill_n(static_cast<uint8_t*>(a_memory.get_data_handle()), a.get_size(), uint8_t{3});
  std::fill_n(static_cast<int8_t*>(b_memory.get_data_handle()), product.weights_desc().get_size(),
              int8_t{-2});
  dnnl::matmul matmul(product);
  return median_seconds(
      [&] {
        matmul.execute(stream, {{DNNL_ARG_SRC, a_memory},
                                {DNNL_ARG_WEIGHTS, b_memory},
                                {DNNL_ARG_DST, c_memory}});
        stream.wait();
      },
      repeats);
}
#endif

// The engines this build can time.
std::vector<std::string> engines() {
  std::vector<std::string> names = {"blas", "onednn"};
#ifdef FACEAGE_WITH_ONEDNN
  names.push_back("int8");
#endif
  return names;
}

double seconds_of(const std::string& engine, int64_t n, int repeats) {
#ifdef FACEAGE_WITH_ONEDNN
  if (engine == "int8") return int8_seconds(n, repeats);
#endif
  return engine == "blas" ? blas_seconds(n, repeats) : onednn_seconds(n, repeats);
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
  double peak = 0, int8_peak = 0;  // GFLOP/s; int8: giga-operations (multiply or add) per s
  if (!json) std::cout << "engine   threads   size   ms/product   GFLOP/s\n";
  for (const std::string& engine : engines()) {
    for (int threads : thread_counts) {
      faceage::use_compute_threads(threads);
      if (engine == "blas" && !faceage::set_blas_threads(threads) && threads != all_threads) continue;
      for (int64_t n : sizes) {
        const double seconds = seconds_of(engine, n, repeats);
        const double gflops = 2.0 * static_cast<double>(n) * n * n / seconds / 1e9;
        double& engine_peak = engine == "int8" ? int8_peak : peak;
        if (threads == all_threads) engine_peak = std::max(engine_peak, gflops);
        results.push_back({{"engine", engine}, {"threads", threads}, {"size", n},
                           {"seconds", seconds}, {"gflops", gflops}});
        if (!json)
          std::cout << fmt::format("{:6} {:9d} {:6d} {:12.2f} {:9.1f}\n", engine, threads, n,
                                   seconds * 1e3, gflops);
      }
    }
  }
  if (json)
    std::cout << nlohmann::json{{"results", results}, {"peak_gflops", peak},
                                {"int8_peak_gops", int8_peak}}
                     .dump()
              << "\n";
  else
    std::cout << fmt::format("peak with {} threads: {:.1f} GFLOP/s float32, {:.1f} GOP/s int8\n",
                             all_threads, peak, int8_peak);
  return 0;
}
