#pragma once
// The batched loader: worker threads decode, crop, resize, augment and normalise batches
// ahead of the trainer (a bounded prefetch queue), so training does not wait on data.
//
// Determinism: an epoch's order is a seeded shuffle of (seed, epoch) (or, when set,
// options.visit_order(epoch), which must depend on the epoch alone); each batch is built
// whole by one worker; batches are handed out in order; a sample's augmentation is
// seeded by (seed, epoch, sample index). Output order and content are therefore the same
// for the same seed whatever the thread count or timing.
//
// Bad images (unreadable, undecodable, a face box outside the image): the sample is left
// out of its batch (that batch is smaller), counted in report(), and the first ones are
// kept as examples; a batch with no good image is not handed out at all. Training goes on.
// Any other error (a bug, out of memory) is rethrown by next().
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/data/augmentation.h"
#include "faceage/data/batch.h"
#include "faceage/model/preprocessing.h"
#include "faceage/data/sample.h"

namespace faceage {

struct LoaderOptions {
  size_t batch_size = 32;
  bool shuffle = true;      // a new seeded order every epoch (validation: false)
  bool drop_last = false;   // leave out the last, smaller batch of an epoch
  uint64_t seed = 0;
  int threads = 2;              // worker threads; 0 builds each batch in next()'s caller
  size_t prefetch_batches = 4;  // at most this many batches built ahead of the consumer
  Preprocessing preprocessing;
  bool augment = false;  // training: true; validation and test: false
  AugmentationOptions augmentation;
  // Data-parallel runs: this process reads shard `shard` of `shard_count` of each epoch's
  // order (every shard_count-th sample, the order padded by wrapping round to a multiple
  // of shard_count), so the shards' batches together are the batches of one process.
  size_t shard = 0;
  size_t shard_count = 1;
  // The rows an epoch visits, in order: indices into the samples, repeats allowed, the
  // same count every epoch, a function of the epoch alone (a resumed run must see the
  // same order). Unset: every row once, epoch_order(rows, seed, epoch, shuffle).
  // Weighted mixes of datasets set it (learn/weighted_epochs.h).
  std::function<std::vector<size_t>(uint64_t epoch)> visit_order;
};

struct SkippedImage {
  size_t sample_index = 0;
  std::string image_path;
  std::string reason;
};

struct LoaderReport {
  static constexpr size_t kMaxExamples = 10;
  size_t images_loaded = 0;     // over all epochs so far
  size_t images_skipped = 0;    // bad images, each time one was met
  size_t distinct_skipped = 0;  // different bad images
  std::vector<SkippedImage> skipped_examples;  // the first kMaxExamples different ones
  std::string summary() const;
};

// The order an epoch visits the samples: 0..n-1, shuffled by (seed, epoch) if asked.
std::vector<size_t> epoch_order(size_t sample_count, uint64_t seed, uint64_t epoch, bool shuffle);
// Shard `shard` of `order`: positions shard, shard + count, ..., after padding the order
// by wrapping round to a multiple of `count` (every shard has the same length).
std::vector<size_t> shard_of(const std::vector<size_t>& order, size_t shard, size_t count);

// One sample as the network sees it, as 8-bit BGR: read, crop (when aligned), resize,
// augment (when options.augment) with the seed of (options.seed, epoch, index).
// Throws faceage::Error for a bad image.
cv::Mat load_face(const Sample& sample, const LoaderOptions& options, uint64_t epoch, size_t index);

class DataLoader {
 public:
  // Throws faceage::Error for bad options. Starts the worker threads (idle until an epoch starts).
  DataLoader(std::vector<Sample> samples, LoaderOptions options);
  ~DataLoader();  // stops and joins the workers, also in the middle of an epoch
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Begins (or restarts) an epoch; batches of an unfinished earlier epoch are dropped.
  void start_epoch(uint64_t epoch);
  // The epoch's next batch in order, or nothing when the epoch is over.
  // Throws faceage::Error if no epoch was started.
  std::optional<Batch> next();

  size_t batches_per_epoch() const;
  const std::vector<Sample>& samples() const;
  const LoaderOptions& options() const;
  LoaderReport report() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace faceage
