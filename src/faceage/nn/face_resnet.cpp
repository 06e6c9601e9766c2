#include "faceage/nn/face_resnet.h"

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"
#include "faceage/nn/multitask_head.h"
#include "faceage/nn/trunk_convolution.h"

namespace faceage::nn {
namespace {

constexpr int64_t kFeatures = 256;
constexpr int64_t kMiddleChannels = 64;  // layer2's output

// relu(bn2(conv2(relu(bn1(conv1(x))))) + x), 3x3 convolutions padded by 1.
struct FaceResidualBlockImpl : torch::nn::Module {
  explicit FaceResidualBlockImpl(int64_t channels)
      : conv1(register_module("conv1", conv2d(channels, channels, 3, 1, 1, 1, /*bias=*/true))),
        bn1(register_module("bn1", batch_norm(channels))),
        conv2(register_module("conv2", conv2d(channels, channels, 3, 1, 1, 1, /*bias=*/true))),
        bn2(register_module("bn2", batch_norm(channels))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor out = bn2(conv2(torch::relu(bn1(conv1(x)))));
    return torch::relu(out + x);
  }
  TrunkBlock trunk_block() const {
    return {{trunk_convolution(conv1, bn1), trunk_convolution(conv2, bn2)}, std::nullopt,
            std::nullopt};
  }
  torch::nn::Conv2d conv1, conv2;
  SyncableBatchNorm2d bn1, bn2;
};
TORCH_MODULE(FaceResidualBlock);

// The down block's shortcut as a convolution, for the oneDNN trunk: a 2x2 average pool
// is a stride-2 2x2 convolution weighting each channel's own pixels by 1/4, and the
// appended channels are those no input reaches.
TrunkConvolution average_pool_shortcut(int64_t in, int64_t out) {
  torch::Tensor weight = torch::zeros({out, in, 2, 2});
  for (int64_t c = 0; c < in; ++c) weight[c][c].fill_(0.25);
  return {weight, torch::zeros({out}), /*stride=*/2, /*padding=*/0, /*groups=*/1};
}

// The down block: conv1 3x3 stride 2 unpadded; shortcut 2x2 average pool with zero
// channels appended; the residual branch grown by zeros at the bottom and right to the
// pool's size (an unpadded stride-2 3x3 convolution gives floor((n - 1) / 2) rows, the
// pool floor(n / 2): one fewer for even n).
struct FaceDownBlockImpl : torch::nn::Module {
  FaceDownBlockImpl(int64_t in, int64_t out)
      : conv1(register_module("conv1", conv2d(in, out, 3, 2, 0, 1, /*bias=*/true))),
        bn1(register_module("bn1", batch_norm(out))),
        conv2(register_module("conv2", conv2d(out, out, 3, 1, 1, 1, /*bias=*/true))),
        bn2(register_module("bn2", batch_norm(out))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = dense(bn2(conv2(torch::relu(bn1(conv1(x))))));
    torch::Tensor shortcut = dense(torch::avg_pool2d(x, 2, 2));
    const int64_t missing_channels = out.size(1) - shortcut.size(1);
    const int64_t missing_rows = shortcut.size(2) - out.size(2);
    const int64_t missing_columns = shortcut.size(3) - out.size(3);
    if (missing_channels > 0)  // F.pad order: last dimension first
      shortcut = torch::constant_pad_nd(shortcut, {0, 0, 0, 0, 0, missing_channels});
    if (missing_rows > 0 || missing_columns > 0)
      out = torch::constant_pad_nd(out, {0, missing_columns, 0, missing_rows});
    // The padding runs on strided tensors; a oneDNN-layout input (inference_plan.h) goes
    // back to that layout for the next block's convolutions.
    const torch::Tensor result = torch::relu(out + shortcut);
    return x.is_mkldnn() ? result.to_mkldnn() : result;
  }
  // The trunk adds the branch to the shortcut's corner where it is a row and column short.
  TrunkBlock trunk_block() const {
    return {{trunk_convolution(conv1, bn1), trunk_convolution(conv2, bn2)},
            average_pool_shortcut(conv1->options.in_channels(), conv1->options.out_channels()),
            std::nullopt};
  }
  torch::nn::Conv2d conv1, conv2;
  SyncableBatchNorm2d bn1, bn2;
};
TORCH_MODULE(FaceDownBlock);

torch::nn::Sequential make_layer(int64_t in, int64_t out, int64_t residual_blocks) {
  torch::nn::Sequential layer;
  if (in != out || residual_blocks == 0) layer->push_back(FaceDownBlock(in, out));
  for (int64_t i = 0; i < residual_blocks; ++i) layer->push_back(FaceResidualBlock(out));
  return layer;
}

}  // namespace

FaceResNet::FaceResNet(const AgeNetOptions& options) : AgeNet(options) {
  conv1_ = register_module("conv1", conv2d(3, 32, 7, 2, 0, 1, /*bias=*/true));
  bn1_ = register_module("bn1", batch_norm(32));
  layer1_ = register_module("layer1", make_layer(32, 32, 3));
  layer2_ = register_module("layer2", make_layer(32, 64, 3));
  layer3_ = register_module("layer3", make_layer(64, 128, 2));
  layer4_ = register_module("layer4", make_layer(128, 256, 2));
  layer5_ = register_module("layer5", make_layer(256, kFeatures, 0));
  const int64_t head_inputs =
      kFeatures + (options.multitask ? options.num_genders + options.num_ethnicities : 0);
  fc_ = register_module("fc", torch::nn::Linear(head_inputs, options.num_ages));
  if (options.multitask) {
    gender_fc_ = register_module("gender_fc", torch::nn::Linear(kMiddleChannels, options.num_genders));
    ethnicity_fc_ = register_module("ethnicity_fc",
                                    torch::nn::Linear(kMiddleChannels, options.num_ethnicities));
  }
  init_like_torchvision(*this);
}

torch::Tensor FaceResNet::trunk(const torch::Tensor& images, torch::Tensor* middle) {
  if (images.dim() != 4 || images.size(2) < kMinimumInputSize || images.size(3) < kMinimumInputSize)
    fail("face_resnet29 takes [batch, 3, H, W] images of at least {} x {} pixels, got {}",
         kMinimumInputSize, kMinimumInputSize, fmt::format("{}", fmt::join(images.sizes(), " x ")));
  if (onednn_trunk_) {
    if (is_training()) fail("this face_resnet29 runs its trunk through oneDNN for inference only");
    TrunkOutput output = onednn_trunk_->run(images, /*with_middle=*/middle != nullptr);
    if (middle) *middle = output.middle;
    return output.pooled;
  }
  torch::Tensor x = torch::relu(bn1_(conv1_(images)));
  x = torch::max_pool2d(x, 3, 2);
  x = layer1_->forward(x);
  x = layer2_->forward(x);
  if (middle) *middle = x;
  x = layer5_->forward(layer4_->forward(layer3_->forward(x)));
  return dense(torch::adaptive_avg_pool2d(x, {1, 1})).flatten(1);
}

torch::Tensor FaceResNet::features(const torch::Tensor& images) { return trunk(images, nullptr); }

TrunkDescription FaceResNet::trunk_description() const {
  TrunkDescription description;
  description.stem = trunk_convolution(conv1_, bn1_);
  description.stem_pool_padding = 0;
  for (const auto& layer : {layer1_, layer2_, layer3_, layer4_, layer5_}) {
    std::vector<TrunkBlock>& blocks = description.layers.emplace_back();
    for (const auto& block : layer->children()) {
      if (const auto* down = block->as<FaceDownBlockImpl>()) blocks.push_back(down->trunk_block());
      else blocks.push_back(block->as<FaceResidualBlockImpl>()->trunk_block());
    }
  }
  return description;
}

AgeNetOutput FaceResNet::forward(torch::Tensor images) {
  torch::Tensor middle;
  const torch::Tensor pooled = trunk(images, gender_fc_ ? &middle : nullptr);
  return multitask_forward(pooled, middle, fc_, gender_fc_, ethnicity_fc_);
}

}  // namespace faceage::nn
