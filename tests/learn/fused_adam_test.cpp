// FusedAdam against LibTorch's torch::optim::Adam, one step at a time from the same
// parameters, gradients and moments: equal to float rounding, on contiguous and
// channels-last weights, from fresh state and from a checkpoint written by either
// optimiser; LibTorch's own step where the fused pass does not apply (AMSGrad). (Several
// steps apart the two drift further: Adam divides by the gradient's running size, so a
// rounding difference in a near-zero gradient grows; each step is what must agree.)
#include <gtest/gtest.h>

#include "faceage/learn/fused_adam.h"
#include "faceage/learn/optimization.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

// A convolution and a linear layer, the same weights for every call; the convolution's
// weight channels-last when asked, as the trainer keeps it on the CPU.
torch::nn::Sequential tiny_net(bool channels_last) {
  torch::manual_seed(3);
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)),
                            torch::nn::ReLU(), torch::nn::Flatten(),
                            torch::nn::Linear(8 * 6 * 6, 5));
  if (channels_last) {
    torch::NoGradGuard no_grad;
    auto& weight = net[0]->as<torch::nn::Conv2d>()->weight;
    weight.set_data(weight.contiguous(torch::MemoryFormat::ChannelsLast));
  }
  return net;
}

// The gradients of batch `step` of one fixed sequence.
void backward(torch::nn::Sequential& net, int step) {
  torch::manual_seed(100 + step);
  const torch::Tensor input = torch::randn({4, 3, 8, 8});
  for (auto& parameter : net->parameters()) parameter.mutable_grad() = torch::Tensor();
  net->forward(input).sub(1.0).square().mean().backward();
}

// Steps `first` to `first + count - 1`.
void train(torch::nn::Sequential& net, torch::optim::Optimizer& optimizer, int first, int count) {
  for (int step = first; step < first + count; ++step) {
    backward(net, step);
    optimizer.step();
  }
}

// One step of each optimiser from the same gradients: batch `step`'s on `reference_net`,
// copied to `fused_net` (layouts kept). Computing them twice need not give the same bits.
void step_both(torch::nn::Sequential& fused_net, torch::optim::Optimizer& fused,
               torch::nn::Sequential& reference_net, torch::optim::Optimizer& reference, int step) {
  backward(reference_net, step);
  const auto gradients = reference_net->named_parameters();
  for (auto& item : fused_net->named_parameters())
    item.value().mutable_grad() = gradients[item.key()].grad().clone();
  fused.step();
  reference.step();
}

torch::optim::AdamOptions options() { return torch::optim::AdamOptions(1e-2).weight_decay(1e-3); }

void copy_parameters(torch::nn::Sequential& from, torch::nn::Sequential& to) {
  torch::NoGradGuard no_grad;
  const auto source = from->named_parameters();
  for (auto& item : to->named_parameters()) item.value().copy_(source[item.key()]);
}

// Both optimisers' parameters and state agree to float rounding.
void expect_same(torch::nn::Sequential& fused_net, torch::optim::Optimizer& fused,
                 torch::nn::Sequential& reference_net, torch::optim::Optimizer& reference) {
  const auto parameters = fused_net->named_parameters();
  for (const auto& item : reference_net->named_parameters())
    EXPECT_TRUE(tensors_close(parameters[item.key()], item.value(), 1e-6)) << item.key();
  const TensorMap fused_state = optimizer_state(fused, *fused_net);
  const TensorMap reference_state = optimizer_state(reference, *reference_net);
  ASSERT_EQ(fused_state.size(), reference_state.size());
  for (const auto& [name, tensor] : reference_state)
    EXPECT_TRUE(tensors_close(fused_state.at(name), tensor, 1e-6)) << name;
}

// `warmup` steps by one optimiser (FusedAdam or LibTorch's Adam); its parameters and state
// handed to both; then one more step by each, compared.
void expect_next_step_agrees(bool channels_last, int warmup, bool warmup_fused) {
  torch::nn::Sequential warm_net = tiny_net(channels_last);
  std::unique_ptr<torch::optim::Optimizer> warm =
      warmup_fused ? std::unique_ptr<torch::optim::Optimizer>(
                         std::make_unique<FusedAdam>(warm_net->parameters(), options()))
                   : std::make_unique<torch::optim::Adam>(warm_net->parameters(), options());
  train(warm_net, *warm, 0, warmup);
  const TensorMap state = optimizer_state(*warm, *warm_net);

  torch::nn::Sequential fused_net = tiny_net(channels_last), reference_net = tiny_net(channels_last);
  copy_parameters(warm_net, fused_net);
  copy_parameters(warm_net, reference_net);
  FusedAdam fused(fused_net->parameters(), options());
  torch::optim::Adam reference(reference_net->parameters(), options());
  load_optimizer_state(fused, *fused_net, state, "checkpoint");
  load_optimizer_state(reference, *reference_net, state, "checkpoint");
  const torch::Tensor before = fused_net[0]->as<torch::nn::Conv2d>()->weight.clone();
  step_both(fused_net, fused, reference_net, reference, warmup);
  for (const auto& parameter : fused_net->parameters())
    EXPECT_TRUE(FusedAdam::fuses(parameter)) << parameter.sizes();
  expect_same(fused_net, fused, reference_net, reference);
  // A step of 1e-2 moves the weights by far more than the tolerance above.
  EXPECT_GT((fused_net[0]->as<torch::nn::Conv2d>()->weight - before).abs().max().item<double>(),
            1e-3);
  EXPECT_EQ(optimizer_state(fused, *fused_net).at("optimizer.0.weight.step").item<int64_t>(),
            warmup + 1);
}

TEST(FusedAdam, FirstStepFromFreshStateIsLibTorchAdams) {
  expect_next_step_agrees(false, 0, true);
  expect_next_step_agrees(true, 0, true);
}

TEST(FusedAdam, StepFromLibTorchAdamsCheckpointIsLibTorchAdams) {
  // Its moments load contiguous; the channels-last weight's are laid out as the weight.
  expect_next_step_agrees(false, 4, false);
  expect_next_step_agrees(true, 4, false);
}

TEST(FusedAdam, ItsOwnStateTakesLibTorchAdamOnAlike) {
  expect_next_step_agrees(false, 4, true);
  expect_next_step_agrees(true, 4, true);
}

TEST(FusedAdam, AmsgradTakesLibTorchsStepExactly) {
  torch::nn::Sequential fused_net = tiny_net(false), reference_net = tiny_net(false);
  FusedAdam fused(fused_net->parameters(), options().amsgrad(true));
  torch::optim::Adam reference(reference_net->parameters(), options().amsgrad(true));
  for (int step = 0; step < 4; ++step) step_both(fused_net, fused, reference_net, reference, step);
  const auto parameters = fused_net->named_parameters();
  for (const auto& item : reference_net->named_parameters())
    EXPECT_TRUE(torch::equal(parameters[item.key()], item.value())) << item.key();
}

TEST(FusedAdam, IsWhatTrainingWithAdamUses) {
  torch::nn::Sequential net = tiny_net(false);
  TrainConfig config;
  config.optimizer = "adam";
  EXPECT_NE(dynamic_cast<FusedAdam*>(make_optimizer(*net, config).get()), nullptr);
}

}  // namespace
}  // namespace faceage
