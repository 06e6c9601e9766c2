// The training fingerprint: a Bloom filter of content hashes with no false negatives, a
// false-positive rate near its design figure, text that round-trips, and a model file
// that carries it under its own metadata key (and loads as before without one).
#include <gtest/gtest.h>

#include <random>

#include "faceage/core/error.h"
#include "faceage/model/model_file.h"
#include "faceage/model/training_fingerprint.h"
#include "test_support.h"

namespace faceage {
namespace {

std::vector<uint64_t> random_hashes(size_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<uint64_t> hashes(count);
  for (uint64_t& hash : hashes) hash = random();
  return hashes;
}

TEST(TrainingFingerprint, HoldsEveryAddedHashAndFewOthers) {
  const std::vector<uint64_t> trained = random_hashes(20000, 1);
  const TrainingFingerprint fingerprint = TrainingFingerprint::from_hashes(trained);
  EXPECT_EQ(fingerprint.images(), 20000u);
  EXPECT_NEAR(static_cast<double>(fingerprint.bits()) / 20000, TrainingFingerprint::kBitsPerImage, 0.05);
  for (uint64_t hash : trained) ASSERT_TRUE(fingerprint.contains(hash)) << hash;

  size_t false_positives = 0;
  const std::vector<uint64_t> others = random_hashes(200000, 2);
  for (uint64_t hash : others) false_positives += fingerprint.contains(hash);
  const double rate = static_cast<double>(false_positives) / static_cast<double>(others.size());
  std::cout << "false-positive rate " << rate << " (design "
            << TrainingFingerprint::kDesignFalsePositiveRate << ")\n";
  EXPECT_GT(rate, 0.3 * TrainingFingerprint::kDesignFalsePositiveRate);
  EXPECT_LT(rate, 2.0 * TrainingFingerprint::kDesignFalsePositiveRate);
}

TEST(TrainingFingerprint, SequentialHashesAreNotAllFound) {
  // Content hashes of similar files can sit close together; the filter's mixing must not
  // make neighbours of a trained hash look trained.
  std::vector<uint64_t> trained;
  for (uint64_t i = 0; i < 1000; ++i) trained.push_back(1000 + 2 * i);
  const TrainingFingerprint fingerprint = TrainingFingerprint::from_hashes(trained);
  size_t neighbours_found = 0;
  for (uint64_t i = 0; i < 1000; ++i) neighbours_found += fingerprint.contains(1001 + 2 * i);
  EXPECT_LE(neighbours_found, 10u);
}

TEST(TrainingFingerprint, TextRoundTripsAndMalformedTextIsNamed) {
  const std::vector<uint64_t> trained = random_hashes(777, 3);
  const TrainingFingerprint original = TrainingFingerprint::from_hashes(trained);
  const TrainingFingerprint copy = TrainingFingerprint::from_text(original.to_text(), "test");
  EXPECT_EQ(copy.images(), 777u);
  EXPECT_EQ(copy.bits(), original.bits());
  EXPECT_EQ(copy.to_text(), original.to_text());
  for (uint64_t hash : trained) ASSERT_TRUE(copy.contains(hash));

  std::string broken = original.to_text();
  broken.replace(broken.find("\"filter\":\"") + 10, 4, "!!!!");
  try {
    TrainingFingerprint::from_text(broken, "model.safetensors");
    FAIL() << "malformed filter accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors: training fingerprint is malformed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(TrainingFingerprint::from_text("{\"images\": 3}", "x"), Error);
}

TEST(TrainingFingerprint, MergeIsTheUnion) {
  const std::vector<uint64_t> a = random_hashes(500, 4), b = random_hashes(500, 5);
  TrainingFingerprint merged = TrainingFingerprint::from_hashes(a);
  const TrainingFingerprint other = TrainingFingerprint::from_hashes(b);
  ASSERT_TRUE(merged.can_merge(other));
  merged.merge(other);
  for (uint64_t hash : a) ASSERT_TRUE(merged.contains(hash));
  for (uint64_t hash : b) ASSERT_TRUE(merged.contains(hash));
  EXPECT_FALSE(merged.can_merge(TrainingFingerprint::from_hashes(random_hashes(5000, 6))));
}

TEST(TrainingFingerprint, ModelFileCarriesItOutsideTheHumanMetadata) {
  ModelSpec spec;
  spec.network.architecture = "resnet18";
  spec.network.num_ages = 101;
  const std::shared_ptr<AgeNet> network = make_age_net(spec.network);
  const std::string dir = faceage::testing::temp_dir("training-fingerprint-model");

  const std::string plain = dir + "/plain.safetensors";
  save_model(plain, *network, spec, /*half=*/true);
  EXPECT_FALSE(read_model_spec(plain).training_fingerprint.has_value());
  EXPECT_FALSE(load_model(plain).spec.training_fingerprint.has_value());

  const std::vector<uint64_t> trained = random_hashes(300, 7);
  spec.training_fingerprint = TrainingFingerprint::from_hashes(trained);
  EXPECT_EQ(to_json(spec).dump().find("fingerprint"), std::string::npos);
  const std::string recorded = dir + "/recorded.safetensors";
  save_model(recorded, *network, spec, /*half=*/true);
  const SafetensorsContent content = read_safetensors(recorded);
  ASSERT_TRUE(content.metadata.count(kTrainingFingerprintKey));
  EXPECT_EQ(content.metadata.at(kModelSpecKey).find("fingerprint"), std::string::npos);
  const LoadedModel loaded = load_model(recorded);
  ASSERT_TRUE(loaded.spec.training_fingerprint.has_value());
  EXPECT_EQ(loaded.spec.training_fingerprint->images(), 300u);
  for (uint64_t hash : trained) ASSERT_TRUE(loaded.spec.training_fingerprint->contains(hash));
}

}  // namespace
}  // namespace faceage
