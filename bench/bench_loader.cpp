// The loader's own throughput (images/s) on real UTKFace faces: decode, crop, resize,
// augment, normalise and batch, with no model behind it. Numbers go in docs/datasets.md.
//   bench_loader [--data DIR (default $FACEAGE_DATA_DIR/utkface)] [--images N] [--sizes 112,224] [--threads 1,2] [--json]
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "faceage/data/dataset.h"
#include "faceage/data/loader.h"

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Throughput {
  double images_per_second = 0;      // wall clock: what the trainer sees
  double images_per_cpu_second = 0;  // work per core: what a busy machine hides
};

Throughput measure(const std::vector<faceage::Sample>& samples, faceage::LoaderOptions options) {
  faceage::DataLoader loader(samples, options);
  loader.start_epoch(0);
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  size_t images = 0;
  while (std::optional<faceage::Batch> batch = loader.next()) images += batch->sample_indices.size();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {images / seconds, images / (cpu_seconds() - cpu_start)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Loader throughput on real faces"};
  // FACEAGE_DATA_DIR as for the tests; else the repository root's ../shared/data.
  const char* data_dir = std::getenv("FACEAGE_DATA_DIR");
  std::string data = std::string(data_dir && *data_dir ? data_dir : "../shared/data") + "/utkface";
  size_t image_count = 2000;
  std::vector<int> sizes = {112, 224};
  std::vector<int> thread_counts = {1, 2};
  size_t batch_size = 64;
  bool json = false;
  app.add_option("--data", data, "Dataset folder or CSV");
  app.add_option("--images", image_count, "Images per measurement");
  app.add_option("--sizes", sizes, "Input sizes")->delimiter(',');
  app.add_option("--threads", thread_counts, "Loader thread counts")->delimiter(',');
  app.add_option("--batch", batch_size, "Batch size");
  app.add_flag("--json", json, "JSON lines instead of a table");
  CLI11_PARSE(app, argc, argv);

  // OpenCV's own worker pool would blur what one loader thread does.
  cv::setNumThreads(1);
  faceage::ReadOptions read_options;
  read_options.on_malformed = faceage::MalformedPolicy::skip;
  std::vector<faceage::Sample> samples = faceage::read_dataset({data}, read_options).samples;
  if (samples.size() > image_count) {
    std::vector<faceage::Sample> chosen;
    for (size_t i : faceage::epoch_order(samples.size(), 1, 0, true)) {
      if (chosen.size() == image_count) break;
      chosen.push_back(samples[i]);
    }
    samples = std::move(chosen);
  }

  faceage::LoaderOptions warm_up;
  warm_up.threads = 2;
  warm_up.preprocessing.input_size = 64;
  measure(samples, warm_up);  // files into the page cache: measure decoding, not the disk

  if (!json) std::cout << "images\tsize\taugment\tthreads\timages/s\timages/cpu-s\n";
  for (int size : sizes)
    for (bool augment : {false, true})
      for (int threads : thread_counts) {
        faceage::LoaderOptions options;
        options.batch_size = batch_size;
        options.threads = threads;
        options.augment = augment;
        options.preprocessing.input_size = size;
        const Throughput rate = measure(samples, options);
        if (json)
          std::cout << nlohmann::json{{"images", samples.size()}, {"size", size}, {"augment", augment},
                                      {"threads", threads}, {"images_per_second", rate.images_per_second},
                                      {"images_per_cpu_second", rate.images_per_cpu_second}}.dump() << "\n";
        else
          std::cout << samples.size() << "\t" << size << "\t" << (augment ? "yes" : "no") << "\t"
                    << threads << "\t" << static_cast<long>(rate.images_per_second) << "\t"
                    << static_cast<long>(rate.images_per_cpu_second) << "\n";
      }
  return 0;
}
