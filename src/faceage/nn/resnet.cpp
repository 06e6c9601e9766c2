#include "faceage/nn/resnet.h"

#include "faceage/core/error.h"
#include "faceage/nn/layers.h"
#include "faceage/nn/multitask_head.h"
#include "faceage/nn/squeeze_excitation.h"
#include "faceage/nn/trunk_convolution.h"

namespace faceage::nn {
namespace {

std::optional<TrunkConvolution> trunk_downsample(const torch::nn::Sequential& downsample) {
  if (!downsample) return std::nullopt;
  return trunk_convolution(torch::nn::Conv2d(downsample->ptr<torch::nn::Conv2dImpl>(0)),
                           SyncableBatchNorm2d(downsample->ptr<SyncableBatchNorm2dImpl>(1)));
}

// torchvision's BasicBlock: two 3x3 convolutions.
struct BasicBlockImpl : torch::nn::Module {
  static constexpr int64_t kExpansion = 1;
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential down)
      : conv1(register_module("conv1", conv2d(inplanes, planes, 3, stride, 1))),
        bn1(register_module("bn1", batch_norm(planes))),
        conv2(register_module("conv2", conv2d(planes, planes, 3, 1, 1))),
        bn2(register_module("bn2", batch_norm(planes))),
        downsample(down) {
    if (downsample) register_module("downsample", downsample);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = torch::relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    return torch::relu(out + (downsample ? downsample->forward(x) : x));
  }
  TrunkBlock trunk_block() const {
    return {{trunk_convolution(conv1, bn1), trunk_convolution(conv2, bn2)},
            trunk_downsample(downsample), std::nullopt};
  }
  torch::nn::Conv2d conv1, conv2;
  SyncableBatchNorm2d bn1, bn2;
  torch::nn::Sequential downsample;
};
TORCH_MODULE(BasicBlock);

// torchvision's Bottleneck (v1.5: the stride sits on the 3x3 convolution), which is also
// timm's ResNeXt block when groups > 1, and its SE-ResNeXt block with the SE gate applied
// to bn3's output before the residual add.
struct BottleneckImpl : torch::nn::Module {
  static constexpr int64_t kExpansion = 4;
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride, torch::nn::Sequential down,
                 const ResNetShape& shape)
      : downsample(down) {
    const int64_t width = planes * shape.width_per_group / 64 * shape.groups;
    const int64_t out_channels = planes * kExpansion;
    conv1 = register_module("conv1", conv2d(inplanes, width, 1));
    bn1 = register_module("bn1", batch_norm(width));
    conv2 = register_module("conv2", conv2d(width, width, 3, stride, 1, shape.groups));
    bn2 = register_module("bn2", batch_norm(width));
    conv3 = register_module("conv3", conv2d(width, out_channels, 1));
    bn3 = register_module("bn3", batch_norm(out_channels));
    if (shape.squeeze_excitation)
      se = register_module("se", SqueezeExcitation(out_channels, out_channels / 16));
    if (downsample) register_module("downsample", downsample);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = torch::relu(bn1(conv1(x)));
    out = torch::relu(bn2(conv2(out)));
    out = bn3(conv3(out));
    if (se) out = se(out);
    return torch::relu(out + (downsample ? downsample->forward(x) : x));
  }
  TrunkBlock trunk_block() const {
    return {{trunk_convolution(conv1, bn1), trunk_convolution(conv2, bn2),
             trunk_convolution(conv3, bn3)},
            trunk_downsample(downsample),
            se ? std::optional<TrunkGate>(se->trunk_gate()) : std::nullopt};
  }
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  SyncableBatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  SqueezeExcitation se{nullptr};
  torch::nn::Sequential downsample;
};
TORCH_MODULE(Bottleneck);

int64_t expansion(BlockKind block) {
  return block == BlockKind::kBasic ? BasicBlockImpl::kExpansion : BottleneckImpl::kExpansion;
}

}  // namespace

ResNetShape resnet18_shape() { return {BlockKind::kBasic, {2, 2, 2, 2}}; }
ResNetShape resnet34_shape() { return {BlockKind::kBasic, {3, 4, 6, 3}}; }
ResNetShape resnet50_shape() { return {BlockKind::kBottleneck, {3, 4, 6, 3}}; }
ResNetShape seresnext50_32x4d_shape() {
  return {BlockKind::kBottleneck, {3, 4, 6, 3}, /*groups=*/32, /*width_per_group=*/4,
          /*squeeze_excitation=*/true};
}

ResNet::ResNet(const AgeNetOptions& options, const ResNetShape& shape) : AgeNet(options) {
  if (shape.blocks_per_layer.size() != 4)
    fail("ResNet: blocks_per_layer needs 4 entries, got {}", shape.blocks_per_layer.size());
  if (shape.block == BlockKind::kBasic && (shape.groups != 1 || shape.width_per_group != 64 ||
                                           shape.squeeze_excitation))
    fail("ResNet: groups, width_per_group and squeeze_excitation need bottleneck blocks");
  conv1_ = register_module("conv1", conv2d(3, 64, 7, 2, 3));
  bn1_ = register_module("bn1", batch_norm(64));
  const auto& n = shape.blocks_per_layer;
  layer1_ = register_module("layer1", make_layer(shape, 64, n[0], 1));
  layer2_ = register_module("layer2", make_layer(shape, 128, n[1], 2));
  layer3_ = register_module("layer3", make_layer(shape, 256, n[2], 2));
  layer4_ = register_module("layer4", make_layer(shape, 512, n[3], 2));
  const int64_t features = 512 * expansion(shape.block);
  const int64_t layer2_channels = 128 * expansion(shape.block);
  const int64_t head_inputs =
      features + (options.multitask ? options.num_genders + options.num_ethnicities : 0);
  fc_ = register_module("fc", torch::nn::Linear(head_inputs, options.num_ages));
  if (options.multitask) {
    gender_fc_ = register_module("gender_fc", torch::nn::Linear(layer2_channels, options.num_genders));
    ethnicity_fc_ = register_module("ethnicity_fc",
                                    torch::nn::Linear(layer2_channels, options.num_ethnicities));
  }
  init_like_torchvision(*this);
}

torch::nn::Sequential ResNet::make_layer(const ResNetShape& shape, int64_t planes,
                                         int64_t blocks, int64_t stride) {
  const int64_t out_channels = planes * expansion(shape.block);
  torch::nn::Sequential downsample{nullptr};
  if (stride != 1 || inplanes_ != out_channels)
    downsample = torch::nn::Sequential(conv2d(inplanes_, out_channels, 1, stride),
                                       batch_norm(out_channels));
  torch::nn::Sequential layer;
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t block_stride = i == 0 ? stride : 1;
    torch::nn::Sequential block_downsample = i == 0 ? downsample : torch::nn::Sequential{nullptr};
    if (shape.block == BlockKind::kBasic)
      layer->push_back(BasicBlock(inplanes_, planes, block_stride, block_downsample));
    else
      layer->push_back(Bottleneck(inplanes_, planes, block_stride, block_downsample, shape));
    inplanes_ = out_channels;
  }
  return layer;
}

TrunkDescription ResNet::trunk_description() const {
  TrunkDescription description;
  description.stem = trunk_convolution(conv1_, bn1_);
  for (const auto& layer : {layer1_, layer2_, layer3_, layer4_}) {
    std::vector<TrunkBlock>& blocks = description.layers.emplace_back();
    for (const auto& block : layer->children()) {
      if (const auto* basic = block->as<BasicBlockImpl>()) blocks.push_back(basic->trunk_block());
      else blocks.push_back(block->as<BottleneckImpl>()->trunk_block());
    }
  }
  return description;
}

AgeNetOutput ResNet::forward(torch::Tensor images) {
  if (onednn_trunk_) {
    if (is_training()) fail("this ResNet runs its trunk through oneDNN for inference only");
    const TrunkOutput trunk = onednn_trunk_->run(images, /*with_middle=*/bool(gender_fc_));
    return multitask_forward(trunk.pooled, trunk.middle, fc_, gender_fc_, ethnicity_fc_);
  }
  torch::Tensor x = torch::relu(bn1_(conv1_(images)));
  x = torch::max_pool2d(x, 3, 2, 1);
  x = layer1_->forward(x);
  const torch::Tensor middle = layer2_->forward(x);
  x = layer4_->forward(layer3_->forward(middle));
  const torch::Tensor pooled = dense(torch::adaptive_avg_pool2d(x, {1, 1})).flatten(1);
  return multitask_forward(pooled, middle, fc_, gender_fc_, ethnicity_fc_);
}

}  // namespace faceage::nn
