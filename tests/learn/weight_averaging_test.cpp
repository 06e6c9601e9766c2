// Weight averaging for export --average-with: the mean of every float weight, integer
// buffers kept, and a different network refused by name.
#include "faceage/learn/weight_averaging.h"

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/nn/weights.h"
#include "test_support.h"

namespace faceage {
namespace {

ModelSpec small_spec(bool multitask) {
  ModelSpec spec;
  spec.network.architecture = "resnet18";
  spec.network.multitask = multitask;
  spec.preprocessing.input_size = 64;
  return spec;
}

std::string saved_model(const std::string& path, uint64_t seed, bool multitask = true) {
  torch::manual_seed(seed);
  const ModelSpec spec = small_spec(multitask);
  const std::shared_ptr<AgeNet> network = make_age_net(spec.network);
  // Non-zero batch-norm statistics, so buffers are averaged too, not only parameters.
  torch::NoGradGuard no_grad;
  for (auto& buffer : network->named_buffers())
    if (buffer.value().is_floating_point()) buffer.value().uniform_(0.5, 1.5);
  save_model(path, *network, spec);
  return path;
}

TEST(WeightAveraging, EveryFloatWeightIsTheMeanAndCountersAreKept) {
  const std::string dir = testing::temp_dir("weight_averaging");
  const std::vector<std::string> paths = {saved_model(dir + "/a.safetensors", 1),
                                          saved_model(dir + "/b.safetensors", 2),
                                          saved_model(dir + "/c.safetensors", 3)};
  std::vector<TensorMap> originals;
  for (const std::string& path : paths) originals.push_back(nn::state_dict(*load_model(path).network));

  LoadedModel averaged = load_model(paths[0]);
  average_weights(averaged, {paths[1], paths[2]});
  size_t floats = 0;
  for (const auto& [name, tensor] : nn::state_dict(*averaged.network)) {
    if (tensor.is_floating_point()) {
      const torch::Tensor expected =
          (originals[0].at(name) + originals[1].at(name) + originals[2].at(name)) / 3;
      EXPECT_TRUE(torch::allclose(tensor, expected, 1e-5, 1e-6)) << name;
      ++floats;
    } else {
      EXPECT_TRUE(torch::equal(tensor, originals[0].at(name))) << name;
    }
  }
  EXPECT_GT(floats, 100u);
  // The seeds differ, so the mean is not any one input.
  const TensorMap result = nn::state_dict(*averaged.network);
  EXPECT_FALSE(torch::allclose(result.at("conv1.weight"), originals[0].at("conv1.weight")));
}

TEST(WeightAveraging, ADifferentNetworkIsRefusedByName) {
  const std::string dir = testing::temp_dir("weight_averaging_mismatch");
  LoadedModel model = load_model(saved_model(dir + "/multitask.safetensors", 1, true));
  const std::string plain = saved_model(dir + "/plain.safetensors", 2, false);
  try {
    average_weights(model, {plain});
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("plain.safetensors"), std::string::npos) << message;
    EXPECT_NE(message.find("no extra heads"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace faceage
