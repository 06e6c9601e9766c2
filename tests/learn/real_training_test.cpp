// Real training: a CPU-sized model trained for a few minutes on a fixed subset of UTKFace
// must predict ages clearly better than always answering the training set's mean age.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "faceage/learn/trainer.h"
#include "faceage/learn/training_data.h"
#include "test_support.h"

namespace faceage {
namespace {

double mean_age_baseline_mae(const std::vector<Sample>& train, const std::vector<Sample>& validation) {
  double mean = 0;
  for (const Sample& s : train) mean += s.age;
  mean /= static_cast<double>(train.size());
  double error = 0;
  for (const Sample& s : validation) error += std::abs(s.age - mean);
  return error / static_cast<double>(validation.size());
}

TEST(RealTraining, SmallResNetBeatsTheMeanAgeBaselineOnUtkface) {
  const std::string config_path =
      faceage::testing::source_dir() + "/configs/utkface/smoke-resnet18-64.toml";
  const TrainConfig config = load_train_config(
      config_path, {"data.path=" + faceage::testing::data_dir() + "/utkface",
                    "train.output_dir=" + faceage::testing::temp_dir("real-training")});
  const TrainingData data = prepare_training_data(config);
  const ModelSpec spec = model_spec_for(config);
  LoaderBatchSource train(data.train, loader_options_for(config, spec.preprocessing, true));
  LoaderBatchSource validation(data.validation, loader_options_for(config, spec.preprocessing, false));
  const TrainingResult result = Trainer(config, spec, train, validation).run();
  ASSERT_EQ(result.history.size(), static_cast<size_t>(config.epochs));

  double best_mae = 1e9;
  for (const EpochRecord& epoch : result.history) best_mae = std::min(best_mae, epoch.validation.mae);
  const double baseline = mean_age_baseline_mae(data.train, data.validation);
  std::cout << "validation MAE " << best_mae << " vs mean-age baseline " << baseline << " on "
            << data.validation.size() << " faces\n";
  EXPECT_GT(baseline, 10.0);  // UTKFace spans 1..100 years: the baseline is poor
  EXPECT_LT(best_mae, 0.75 * baseline);
}

}  // namespace
}  // namespace faceage
