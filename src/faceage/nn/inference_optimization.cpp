#include "faceage/nn/inference_optimization.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_set>

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"
#include "faceage/nn/onednn_trunk_host.h"
#include "faceage/nn/squeeze_excitation.h"
#include "faceage/nn/weights.h"
#include "faceage/parallel/sync_batch_norm.h"

namespace faceage {

namespace {

using nn::SyncableBatchNorm2dImpl;
using nn::SqueezeExcitationImpl;
using torch::nn::Conv2dImpl;
using torch::nn::LinearImpl;

// The convolution whose output the batch norm `name` of `parent` normalises, by the
// backbones' naming: bnN follows convN (ResNet blocks, stems), and in a Sequential
// (downsample, VGG features) the batch norm at index i follows the convolution at i - 1.
Conv2dImpl* convolution_before(torch::nn::Module& parent, const std::string& name) {
  std::string conv_name;
  if (name.rfind("bn", 0) == 0) {
    conv_name = "conv" + name.substr(2);
  } else if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) && name != "0") {
    conv_name = std::to_string(std::stoi(name) - 1);
  }
  for (const auto& child : parent.named_children())
    if (child.key() == conv_name) return child.value()->template as<Conv2dImpl>();
  return nullptr;
}

void fold_batch_norms(torch::nn::Module& network) {
  for (const auto& parent : network.modules()) {
    for (const auto& child : parent->named_children()) {
      const std::string& name = child.key();
      auto* bn = child.value()->template as<SyncableBatchNorm2dImpl>();
      if (bn == nullptr) continue;
      Conv2dImpl* conv = convolution_before(*parent, name);
      if (conv == nullptr || conv->options.out_channels() != bn->channels)
        fail("cannot fold batch norm '{}' ({} channels): no convolution with that output before it",
             name, bn->channels);
      const torch::Tensor scale = bn->weight * torch::rsqrt(bn->running_var + bn->eps);
      const torch::Tensor conv_bias =
          conv->bias.defined() ? conv->bias : torch::zeros_like(bn->running_mean);
      // New tensors, not in-place updates: the registered parameters stay the trained ones.
      conv->weight = conv->weight * scale.view({-1, 1, 1, 1});
      conv->bias = (conv_bias - bn->running_mean) * scale + bn->bias;
      bn->mark_folded();
    }
  }
}

torch::Tensor reordered_for_mkldnn(const Conv2dImpl& conv, const torch::Tensor& weight) {
  return at::mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), *nn::explicit_padding(conv.options),
                                          *conv.options.stride(), *conv.options.dilation(),
                                          conv.options.groups());
}

// The gate's 1x1 convolutions see pooled [N, C, 1, 1] dense tensors in every layout.
std::unordered_set<const torch::nn::Module*> gate_convolutions(torch::nn::Module& network) {
  std::unordered_set<const torch::nn::Module*> gates;
  for (const auto& module : network.modules())
    if (module->as<SqueezeExcitationImpl>())
      for (const auto& child : module->children()) gates.insert(child.get());
  return gates;
}

// Switches a network with a oneDNN trunk (the ResNet family, face_resnet29) onto it.
bool use_onednn_trunk(AgeNet& network, const InferencePlan& plan) {
  auto* host = dynamic_cast<nn::OneDnnTrunkHost*>(&network);
  if (host != nullptr) host->use_onednn_trunk(plan.precision, plan.int8_ranges);
  return host != nullptr;
}

nn::OneDnnTrunk* onednn_trunk_of(AgeNet& network) {
  auto* host = dynamic_cast<nn::OneDnnTrunkHost*>(&network);
  return host == nullptr ? nullptr : host->onednn_trunk();
}

void convert_weights(torch::nn::Module& network, const InferencePlan& plan) {
  const auto gates = gate_convolutions(network);
  const torch::ScalarType type = tensor_type(plan.precision);  // int8 never gets here
  for (const auto& module : network.modules()) {
    if (auto* linear = module->as<LinearImpl>()) {
      linear->weight = linear->weight.to(type);
      if (linear->bias.defined()) linear->bias = linear->bias.to(type);
      continue;
    }
    auto* conv = module->as<Conv2dImpl>();
    if (conv == nullptr) continue;
    torch::Tensor weight = conv->weight.to(type);
    if (conv->bias.defined()) conv->bias = conv->bias.to(type);
    if (plan.layout == TensorLayout::kChannelsLast)
      weight = weight.contiguous(torch::MemoryFormat::ChannelsLast);
    else if (plan.layout == TensorLayout::kMkldnn && gates.count(module.get()) == 0) {
      weight = reordered_for_mkldnn(*conv, weight);
      // bfloat16 oneDNN convolutions take only a oneDNN bias; float32 ones take either.
      if (conv->bias.defined()) conv->bias = conv->bias.to_mkldnn();
    }
    conv->weight = weight;
  }
}

}  // namespace

void optimize_for_inference(AgeNet& network, const InferencePlan& plan) {
  if (network.inference_plan().optimized())
    fail("the network is already optimised for inference ({})", describe(network.inference_plan()));
  if (plan.precision == Precision::kInt8 && plan.layout != TensorLayout::kOneDnn)
    fail("inference precision int8 runs on the oneDNN chain only, not {}", describe(plan));
  torch::NoGradGuard no_grad;
  network.eval();
  if (plan.fold_batch_norm) fold_batch_norms(network);
  if (plan.layout == TensorLayout::kOneDnn) {
    // The heads stay float32 LibTorch layers on the trunk's float32 features.
    if (!plan.fold_batch_norm || !use_onednn_trunk(network, plan))
      fail("inference plan '{}' needs a ResNet-family or face_resnet29 network and folded "
           "batch norms", describe(plan));
  } else {
    convert_weights(network, plan);
  }
  network.set_inference_plan(plan);
}

Int8Calibrator::Int8Calibrator(const AgeNet& network)
    : float_chain_(make_age_net(network.options())) {
  nn::load_state_dict(*float_chain_, nn::state_dict(network), /*allow_partial=*/false);
  optimize_for_inference(
      *float_chain_, inference_plan_from_names("onednn", "float32", network.options().architecture,
                                               torch::kCPU, 1));
}

void Int8Calibrator::observe(const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  onednn_trunk_of(*float_chain_)->record_ranges(images, ranges_);
}

double trunk_multiply_adds(AgeNet& network, int64_t height, int64_t width) {
  nn::OneDnnTrunk* trunk = onednn_trunk_of(network);
  return trunk == nullptr ? 0.0 : trunk->multiply_adds(height, width);
}

torch::Tensor to_network_input(const torch::Tensor& images, const InferencePlan& plan) {
  // The oneDNN chain takes float32 images and converts them in its first step.
  const torch::Tensor converted =
      images.to(plan.layout == TensorLayout::kOneDnn ? torch::kFloat : tensor_type(plan.precision));
  switch (plan.layout) {
    case TensorLayout::kChannelsLast:
      return converted.contiguous(torch::MemoryFormat::ChannelsLast);
    case TensorLayout::kMkldnn:
      return converted.to_mkldnn();
    case TensorLayout::kOneDnn:  // the chain reorders its input in its first step
    case TensorLayout::kPlain:
      break;
  }
  return converted;
}

}  // namespace faceage
