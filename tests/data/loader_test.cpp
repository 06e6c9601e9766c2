// The threaded loader on real UTKFace faces: the same batches for the same seed whatever
// the thread count, per-epoch shuffles, drop_last, bad images skipped and counted, and
// shutdown in the middle of an epoch.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "data_test_support.h"
#include "faceage/data/loader.h"
#include "faceage/data/utkface_reader.h"

namespace faceage {
namespace {
using namespace faceage::testing;

// 100 real faces, a few of each age band.
std::vector<Sample> real_samples(size_t count = 100) {
  ReadOptions skip;
  skip.on_malformed = MalformedPolicy::skip;
  const std::vector<Sample> all = read_utkface(utkface_dir(), skip).samples;
  std::vector<Sample> chosen;
  for (size_t i = 0; chosen.size() < count; i += all.size() / count) chosen.push_back(all[i]);
  return chosen;
}

LoaderOptions small_options(int threads) {
  LoaderOptions options;
  options.batch_size = 16;
  options.threads = threads;
  options.seed = 17;
  options.preprocessing.input_size = 32;
  options.augment = true;
  options.prefetch_batches = 2;
  return options;
}

std::vector<Batch> whole_epoch(DataLoader& loader, uint64_t epoch) {
  loader.start_epoch(epoch);
  std::vector<Batch> batches;
  while (std::optional<Batch> batch = loader.next()) batches.push_back(std::move(*batch));
  return batches;
}

TEST(Loader, SameSeedSameBatchesWhateverTheThreadCount) {
  const std::vector<Sample> samples = real_samples();
  DataLoader inline_loader(samples, small_options(0));
  std::vector<std::vector<Batch>> reference = {whole_epoch(inline_loader, 0), whole_epoch(inline_loader, 1)};
  for (int threads : {1, 3}) {
    DataLoader loader(samples, small_options(threads));
    for (uint64_t epoch : {0, 1}) {
      const std::vector<Batch> batches = whole_epoch(loader, epoch);
      ASSERT_EQ(batches.size(), reference[epoch].size());
      for (size_t b = 0; b < batches.size(); ++b) {
        EXPECT_EQ(batches[b].sample_indices, reference[epoch][b].sample_indices) << threads << " threads";
        EXPECT_TRUE(torch::equal(batches[b].images, reference[epoch][b].images)) << threads << " threads";
        EXPECT_TRUE(torch::equal(batches[b].ages, reference[epoch][b].ages));
      }
    }
  }
}

TEST(Loader, EachEpochVisitsEverySampleOnceInANewOrder) {
  const std::vector<Sample> samples = real_samples();
  DataLoader loader(samples, small_options(2));
  EXPECT_EQ(loader.batches_per_epoch(), 7u);  // 100 / 16 rounded up
  std::vector<size_t> orders[2];
  for (uint64_t epoch : {0, 1}) {
    const std::vector<Batch> batches = whole_epoch(loader, epoch);
    ASSERT_EQ(batches.size(), 7u);
    EXPECT_EQ(batches.back().images.size(0), 4);
    for (const Batch& b : batches) orders[epoch].insert(orders[epoch].end(), b.sample_indices.begin(), b.sample_indices.end());
    EXPECT_EQ(std::set<size_t>(orders[epoch].begin(), orders[epoch].end()).size(), samples.size());
    EXPECT_EQ(orders[epoch], epoch_order(samples.size(), 17, epoch, true));
  }
  EXPECT_NE(orders[0], orders[1]);
  EXPECT_EQ(loader.report().images_loaded, 200u);
  EXPECT_EQ(loader.report().images_skipped, 0u);
}

TEST(Loader, BatchesHoldTheLabelsAndTheFacesOfTheirSamples) {
  const std::vector<Sample> samples = real_samples();
  LoaderOptions options = small_options(2);
  DataLoader loader(samples, options);
  loader.start_epoch(3);
  const Batch batch = *loader.next();
  ASSERT_EQ(batch.images.sizes(), (std::vector<int64_t>{16, 3, 32, 32}));
  for (int64_t i = 0; i < 16; ++i) {
    const size_t index = batch.sample_indices[i];
    EXPECT_EQ(batch.ages[i].item<float>(), static_cast<float>(samples[index].age));
    EXPECT_EQ(batch.genders[i].item<int64_t>(), samples[index].gender);
    EXPECT_EQ(batch.ethnicities[i].item<int64_t>(), samples[index].ethnicity);
    const torch::Tensor expected = to_input_tensor(load_face(samples[index], options, 3, index), options.preprocessing);
    EXPECT_TRUE(torch::equal(batch.images[i], expected)) << i;
  }
}

TEST(Loader, UnshuffledWithoutAugmentationIsThePlainDatasetOrder) {
  const std::vector<Sample> samples = real_samples();
  LoaderOptions options = small_options(2);
  options.shuffle = false;
  options.augment = false;
  DataLoader loader(samples, options);
  loader.start_epoch(0);
  const Batch first = *loader.next();
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(first.sample_indices[i], i);
  const cv::Mat face = load_face(samples[5], options, 0, 5);
  EXPECT_TRUE(torch::equal(first.images[5], to_input_tensor(face, options.preprocessing)));
  // Without augmentation the epoch does not matter.
  EXPECT_EQ(cv::norm(face, load_face(samples[5], options, 9, 5), cv::NORM_INF), 0);
}

TEST(Loader, DropLastLeavesOutTheShortBatch) {
  LoaderOptions options = small_options(2);
  options.drop_last = true;
  DataLoader loader(real_samples(), options);
  EXPECT_EQ(loader.batches_per_epoch(), 6u);
  const std::vector<Batch> batches = whole_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 6u);
  for (const Batch& b : batches) EXPECT_EQ(b.images.size(0), 16);
}

TEST(Loader, BadImagesAreSkippedCountedAndReported) {
  std::vector<Sample> samples = real_samples(40);
  const std::string dir = temp_dir("loader-bad");
  samples[3].image_path = dir + "/missing.jpg";
  samples[10].image_path = write_text_file(dir + "/corrupt.jpg", "not a jpeg at all");
  samples[20].box = FaceBox{500, 500, 600, 600};  // outside the 200x200 face
  LoaderOptions options = small_options(2);
  options.shuffle = false;
  options.batch_size = 8;
  DataLoader loader(samples, options);
  for (uint64_t epoch : {0, 1}) {
    const std::vector<Batch> batches = whole_epoch(loader, epoch);
    ASSERT_EQ(batches.size(), 5u);
    EXPECT_EQ(batches[0].images.size(0), 7);  // sample 3 left out
    EXPECT_EQ(batches[1].images.size(0), 7);  // sample 10
    EXPECT_EQ(batches[2].images.size(0), 7);  // sample 20
    EXPECT_EQ(batches[0].sample_indices, (std::vector<size_t>{0, 1, 2, 4, 5, 6, 7}));
    EXPECT_EQ(batches[0].ages.size(0), 7);
  }
  const LoaderReport report = loader.report();
  EXPECT_EQ(report.images_skipped, 6u);  // three bad images, two epochs
  EXPECT_EQ(report.distinct_skipped, 3u);
  EXPECT_EQ(report.images_loaded, 2u * 37u);
  ASSERT_EQ(report.skipped_examples.size(), 3u);
  EXPECT_EQ(report.skipped_examples[0].sample_index, 3u);
  EXPECT_TRUE(contains(report.skipped_examples[0].reason, "missing.jpg"));
  EXPECT_TRUE(contains(report.skipped_examples[1].reason, "corrupt.jpg"));
  EXPECT_TRUE(contains(report.skipped_examples[2].reason, "no pixel inside"));
  EXPECT_TRUE(contains(report.summary(), "6 bad images skipped (3 different")) << report.summary();
}

TEST(Loader, ABatchOfOnlyBadImagesIsNotHandedOut) {
  std::vector<Sample> samples = real_samples(12);
  for (size_t i = 4; i < 8; ++i) samples[i].image_path = "/nonexistent/" + std::to_string(i) + ".jpg";
  LoaderOptions options = small_options(1);
  options.shuffle = false;
  options.batch_size = 4;
  DataLoader loader(samples, options);
  const std::vector<Batch> batches = whole_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].sample_indices.front(), 8u);
}

TEST(Loader, StopsCleanlyInTheMiddleOfAnEpochAndRestartsEpochs) {
  const std::vector<Sample> samples = real_samples();
  const auto started = std::chrono::steady_clock::now();
  {
    DataLoader loader(samples, small_options(3));
    loader.start_epoch(0);
    ASSERT_TRUE(loader.next());
    // Restarting drops the rest of epoch 0 and begins epoch 0 again from its first batch.
    loader.start_epoch(0);
    const std::vector<Batch> batches = whole_epoch(loader, 0);
    EXPECT_EQ(batches.size(), 7u);
    loader.start_epoch(1);
    ASSERT_TRUE(loader.next());
  }  // destroyed with epoch 1 in flight
  { DataLoader never_started(samples, small_options(2)); }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(Loader, NextBeforeAnEpochAndBadOptionsAreErrors) {
  DataLoader loader(real_samples(10), small_options(1));
  EXPECT_TRUE(contains(error_message([&] { loader.next(); }), "start_epoch"));
  LoaderOptions zero = small_options(1);
  zero.batch_size = 0;
  EXPECT_TRUE(contains(error_message([&] { DataLoader bad({}, zero); }), "batch_size"));
  LoaderOptions bad_augmentation = small_options(1);
  bad_augmentation.augmentation.gamma_probability = 2;
  EXPECT_TRUE(contains(error_message([&] { DataLoader bad({}, bad_augmentation); }), "gamma_probability"));
}

TEST(Loader, AnEmptyDatasetHasNoBatches) {
  DataLoader loader({}, small_options(2));
  EXPECT_EQ(loader.batches_per_epoch(), 0u);
  EXPECT_TRUE(whole_epoch(loader, 0).empty());
}

}  // namespace
}  // namespace faceage
