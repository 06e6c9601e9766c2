#include "faceage/nn/vgg.h"

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"
#include "faceage/nn/multitask_head.h"

namespace faceage::nn {
namespace {

constexpr int64_t kPooledSize = 7;  // torchvision's AdaptiveAvgPool2d((7, 7))
constexpr int64_t kHidden = 4096;
constexpr int kMiddlePool = 4;      // the multi-task tap sits before this max pool

// Runs modules [begin, end) of a Sequential.
torch::Tensor forward_range(torch::nn::Sequential& sequence, size_t begin, size_t end,
                            torch::Tensor x) {
  for (size_t i = begin; i < end; ++i) x = (sequence->begin() + i)->forward(x);
  return x;
}

}  // namespace

const std::vector<int64_t>& vgg16_config() {
  static const std::vector<int64_t> config = {
      64,  64,  Vgg::kMaxPool, 128, 128, Vgg::kMaxPool, 256, 256, 256, Vgg::kMaxPool,
      512, 512, 512, Vgg::kMaxPool, 512, 512, 512, Vgg::kMaxPool};
  return config;
}

Vgg::Vgg(const AgeNetOptions& options, const std::vector<int64_t>& config) : AgeNet(options) {
  features_ = torch::nn::Sequential();
  int64_t channels = 3, middle_channels = 0;
  int pools = 0;
  for (const int64_t width : config) {
    if (width == kMaxPool) {
      if (++pools == kMiddlePool) {
        middle_index_ = features_->size() - 1;
        middle_channels = channels;
      }
      features_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    features_->push_back(conv2d(channels, width, 3, 1, 1, 1, /*bias=*/true));
    features_->push_back(batch_norm(width));
    features_->push_back(torch::nn::ReLU());
    channels = width;
  }
  if (pools < kMiddlePool) fail("VGG: the configuration needs at least {} max pools", kMiddlePool);
  register_module("features", features_);

  const int64_t head_inputs =
      kHidden + (options.multitask ? options.num_genders + options.num_ethnicities : 0);
  age_fc_ = torch::nn::Linear(head_inputs, options.num_ages);
  classifier_ = torch::nn::Sequential(
      torch::nn::Linear(channels * kPooledSize * kPooledSize, kHidden), torch::nn::ReLU(),
      torch::nn::Dropout(options.dropout), torch::nn::Linear(kHidden, kHidden),
      torch::nn::ReLU(), torch::nn::Dropout(options.dropout), age_fc_);
  register_module("classifier", classifier_);
  if (options.multitask) {
    gender_fc_ = register_module("gender_fc", torch::nn::Linear(middle_channels, options.num_genders));
    ethnicity_fc_ = register_module("ethnicity_fc",
                                    torch::nn::Linear(middle_channels, options.num_ethnicities));
  }

  // torchvision's VGG initialisation: Linear layers ~ N(0, 0.01) with zero bias.
  init_like_torchvision(*this);
  torch::NoGradGuard no_grad;
  for (auto& child : modules(/*include_self=*/false))
    if (auto* linear = child->as<torch::nn::LinearImpl>()) {
      torch::nn::init::normal_(linear->weight, 0.0, 0.01);
      torch::nn::init::zeros_(linear->bias);
    }
}

AgeNetOutput Vgg::forward(torch::Tensor images) {
  const torch::Tensor middle = forward_range(features_, 0, middle_index_ + 1, images);
  torch::Tensor x = forward_range(features_, middle_index_ + 1, features_->size(), middle);
  // Dense first: oneDNN pools only evenly (below 224 px the map is smaller than 7x7).
  x = torch::adaptive_avg_pool2d(dense(x), {kPooledSize, kPooledSize}).flatten(1);
  x = forward_range(classifier_, 0, classifier_->size() - 1, x);  // all but the age FC
  return multitask_forward(x, middle, age_fc_, gender_fc_, ethnicity_fc_);
}

}  // namespace faceage::nn
