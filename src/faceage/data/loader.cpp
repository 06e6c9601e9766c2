#include "faceage/data/loader.h"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/data/seeded_random.h"
#include "faceage/model/network_input.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {

struct BuiltBatch {
  std::optional<Batch> batch;  // nothing when every image of it was bad
  std::vector<SkippedImage> skipped;
  std::exception_ptr error;  // anything but a bad image
};

void check_options(const LoaderOptions& options) {
  if (options.batch_size == 0) fail("loader: batch_size must be at least 1");
  if (options.threads < 0) fail("loader: threads {} must be >= 0", options.threads);
  if (options.prefetch_batches == 0) fail("loader: prefetch_batches must be at least 1");
  if (options.shard_count == 0 || options.shard >= options.shard_count)
    fail("loader: shard {} of {} does not exist", options.shard, options.shard_count);
  check_preprocessing(options.preprocessing);
  if (options.augment) check_augmentation(options.augmentation);
}

BuiltBatch build_batch(const std::vector<Sample>& samples, const LoaderOptions& options,
                       const std::vector<size_t>& order, uint64_t epoch, size_t batch_number) {
  BuiltBatch built;
  try {
    const size_t begin = batch_number * options.batch_size;
    const size_t end = std::min(order.size(), begin + options.batch_size);
    const int64_t size = options.preprocessing.input_size;
    const int64_t image_floats = 3 * size * size;
    torch::Tensor images = torch::empty({static_cast<int64_t>(end - begin), 3, size, size});
    float* data = images.data_ptr<float>();
    std::vector<int64_t> good_rows;
    std::vector<size_t> indices;
    for (size_t position = begin; position < end; ++position) {
      const size_t index = order[position];
      const int64_t row = static_cast<int64_t>(position - begin);
      try {
        const cv::Mat face = load_face(samples[index], options, epoch, index);
        write_input_tensor(face, options.preprocessing, data + row * image_floats);
      } catch (const Error& e) {
        built.skipped.push_back({index, samples[index].image_path, e.what()});
        continue;
      } catch (const cv::Exception& e) {
        built.skipped.push_back({index, samples[index].image_path, e.what()});
        continue;
      }
      good_rows.push_back(row);
      indices.push_back(index);
    }
    if (indices.empty()) return built;
    if (good_rows.size() < static_cast<size_t>(images.size(0)))
      images = images.index_select(0, torch::tensor(good_rows, torch::kInt64));

    Batch batch;
    const auto count = static_cast<int64_t>(indices.size());
    batch.images = images;
    batch.ages = torch::empty({count}, torch::kFloat32);
    batch.genders = torch::empty({count}, torch::kInt64);
    batch.ethnicities = torch::empty({count}, torch::kInt64);
    for (int64_t i = 0; i < count; ++i) {
      const Sample& sample = samples[indices[i]];
      batch.ages.data_ptr<float>()[i] = static_cast<float>(sample.age);
      batch.genders.data_ptr<int64_t>()[i] = sample.gender;
      batch.ethnicities.data_ptr<int64_t>()[i] = sample.ethnicity;
    }
    batch.sample_indices = std::move(indices);
    built.batch = std::move(batch);
  } catch (...) {
    built.error = std::current_exception();
  }
  return built;
}

}  // namespace

std::string LoaderReport::summary() const {
  std::string text = fmt::format("{} images loaded", images_loaded);
  if (images_skipped > 0)
    text += fmt::format(", {} bad images skipped ({} different; first: {}: {})", images_skipped,
                        distinct_skipped, skipped_examples.front().image_path,
                        skipped_examples.front().reason);
  return text;
}

std::vector<size_t> epoch_order(size_t sample_count, uint64_t seed, uint64_t epoch, bool shuffle) {
  std::vector<size_t> order(sample_count);
  for (size_t i = 0; i < sample_count; ++i) order[i] = i;
  if (shuffle) {
    SeededRandom random(mix_seeds({seed, epoch, 0x0de5}));
    seeded_shuffle(order, random);
  }
  return order;
}

std::vector<size_t> shard_of(const std::vector<size_t>& order, size_t shard, size_t count) {
  std::vector<size_t> part;
  if (order.empty()) return part;
  const size_t per_shard = (order.size() + count - 1) / count;
  part.reserve(per_shard);
  for (size_t i = 0; i < per_shard; ++i) part.push_back(order[(shard + i * count) % order.size()]);
  return part;
}

cv::Mat load_face(const Sample& sample, const LoaderOptions& options, uint64_t epoch, size_t index) {
  const cv::Mat image = read_image(sample.image_path);
  const Preprocessing& preprocessing = options.preprocessing;
  cv::Mat face =
      network_input_face(image, dataset_row_geometry(sample.geometry(), preprocessing), preprocessing);
  if (options.augment) {
    const AugmentationChoice choice =
        choose_augmentations(options.augmentation, sample_seed(options.seed, epoch, index));
    apply_augmentations(face, choice);  // `image` is ours, so sharing pixels with it is fine
  }
  return face;
}

struct DataLoader::State {
  std::vector<Sample> samples;
  LoaderOptions options;
  size_t epoch_size = 0;  // rows an epoch visits

  mutable std::mutex mutex;
  std::condition_variable work_available;  // workers wait here
  std::condition_variable batch_ready;     // the consumer waits here
  bool stopping = false;
  bool epoch_started = false;
  uint64_t generation = 0;  // bumped by start_epoch: older work is dropped
  uint64_t epoch = 0;
  std::shared_ptr<const std::vector<size_t>> order;
  size_t batch_count = 0;
  size_t next_job = 0;          // next batch a worker builds
  size_t next_to_consume = 0;   // next batch next() hands out
  std::map<size_t, BuiltBatch> ready;
  LoaderReport report;
  std::set<size_t> skipped_indices;
  std::vector<std::thread> workers;

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      work_available.wait(lock, [&] {
        return stopping || (next_job < batch_count &&
                            next_job < next_to_consume + options.prefetch_batches);
      });
      if (stopping) return;
      const size_t job = next_job++;
      const uint64_t job_generation = generation;
      const uint64_t job_epoch = epoch;
      const std::shared_ptr<const std::vector<size_t>> job_order = order;
      lock.unlock();
      BuiltBatch built = build_batch(samples, options, *job_order, job_epoch, job);
      lock.lock();
      if (job_generation == generation) {
        ready.emplace(job, std::move(built));
        batch_ready.notify_all();
      }
    }
  }

  std::vector<size_t> epoch_rows(uint64_t epoch) const {
    if (!options.visit_order) return epoch_order(samples.size(), options.seed, epoch, options.shuffle);
    std::vector<size_t> rows = options.visit_order(epoch);
    for (size_t row : rows)
      if (row >= samples.size()) fail("loader: visit_order gave row {} of {}", row, samples.size());
    if (rows.size() != epoch_size)
      fail("loader: visit_order gave {} rows for epoch {}, {} before", rows.size(), epoch, epoch_size);
    return rows;
  }

  void record(const std::vector<SkippedImage>& skipped) {
    for (const SkippedImage& image : skipped) {
      ++report.images_skipped;
      if (!skipped_indices.insert(image.sample_index).second) continue;
      ++report.distinct_skipped;
      if (report.skipped_examples.size() < LoaderReport::kMaxExamples)
        report.skipped_examples.push_back(image);
    }
  }
};

DataLoader::DataLoader(std::vector<Sample> samples, LoaderOptions options)
    : state_(std::make_unique<State>()) {
  check_options(options);
  state_->samples = std::move(samples);
  state_->options = std::move(options);
  state_->epoch_size = state_->options.visit_order ? state_->options.visit_order(0).size()
                                                   : state_->samples.size();
  for (int i = 0; i < state_->options.threads; ++i)
    state_->workers.emplace_back([state = state_.get()] { state->work(); });
}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->work_available.notify_all();
  for (std::thread& worker : state_->workers) worker.join();
}

void DataLoader::start_epoch(uint64_t epoch) {
  State& s = *state_;
  auto order = std::make_shared<const std::vector<size_t>>(
      shard_of(s.epoch_rows(epoch), s.options.shard, s.options.shard_count));
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    ++s.generation;
    s.epoch = epoch;
    s.epoch_started = true;
    s.order = std::move(order);
    s.batch_count = batches_per_epoch();
    s.next_job = 0;
    s.next_to_consume = 0;
    s.ready.clear();
  }
  s.work_available.notify_all();
}

std::optional<Batch> DataLoader::next() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  if (!s.epoch_started) fail("DataLoader::next: call start_epoch(epoch) first");
  while (s.next_to_consume < s.batch_count) {
    const size_t job = s.next_to_consume;
    BuiltBatch built;
    if (s.workers.empty()) {
      const auto order = s.order;
      const uint64_t epoch = s.epoch;
      lock.unlock();
      built = build_batch(s.samples, s.options, *order, epoch, job);
      lock.lock();
    } else {
      s.batch_ready.wait(lock, [&] { return s.ready.count(job) > 0; });
      built = std::move(s.ready.at(job));
      s.ready.erase(job);
    }
    ++s.next_to_consume;
    s.work_available.notify_all();
    s.record(built.skipped);
    if (built.error) std::rethrow_exception(built.error);
    if (built.batch) {
      s.report.images_loaded += built.batch->sample_indices.size();
      return std::move(built.batch);
    }
  }
  return std::nullopt;
}

size_t DataLoader::batches_per_epoch() const {
  const size_t shards = state_->options.shard_count;
  const size_t n = (state_->epoch_size + shards - 1) / shards;
  const size_t batch = state_->options.batch_size;
  return state_->options.drop_last ? n / batch : (n + batch - 1) / batch;
}

const std::vector<Sample>& DataLoader::samples() const { return state_->samples; }
const LoaderOptions& DataLoader::options() const { return state_->options; }

LoaderReport DataLoader::report() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->report;
}

}  // namespace faceage
