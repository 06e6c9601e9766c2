#pragma once
// One emitter per layer kind: each writes the ONNX nodes that compute what the LibTorch
// module (or functional call) computes in eval mode, with the module's weights as
// initializers under its state-dict path, and returns the output value's name.
// `path` is the module's state-dict prefix ("layer1.0.conv1"); nodes are named after it.
#include <string>

#include <torch/torch.h>

#include "faceage/nn/squeeze_excitation.h"
#include "faceage/onnx/graph_builder.h"
#include "faceage/parallel/sync_batch_norm.h"

namespace faceage::onnx_export {

// Conv with the module's stride, padding, dilation and groups (zero padding only).
std::string emit_conv(GraphBuilder& graph, const torch::nn::Conv2dImpl& conv,
                      const std::string& path, const std::string& input);
// BatchNormalization in inference mode (running statistics); nothing for a batch norm
// already folded into its convolution (nn/inference_optimization.h).
std::string emit_batch_norm(GraphBuilder& graph, const nn::SyncableBatchNorm2dImpl& bn,
                            const std::string& path, const std::string& input);
std::string emit_relu(GraphBuilder& graph, const std::string& name, const std::string& input);
// Max pooling as torch::max_pool2d (floor mode; padding never wins the max).
std::string emit_max_pool(GraphBuilder& graph, const std::string& name, const std::string& input,
                          int64_t kernel, int64_t stride, int64_t padding);
// Unpadded average pooling as torch::avg_pool2d(x, kernel, stride).
std::string emit_average_pool(GraphBuilder& graph, const std::string& name,
                              const std::string& input, int64_t kernel, int64_t stride);
// The mean over H and W, [N, C, 1, 1].
std::string emit_global_average_pool(GraphBuilder& graph, const std::string& name,
                                     const std::string& input);
// torch::adaptive_avg_pool2d to rows x columns for the input's static size: nothing when
// the sizes match, AveragePool when they divide evenly, else the pooling as two MatMuls
// with averaging matrices (ONNX has no adaptive pooling).
std::string emit_adaptive_average_pool(GraphBuilder& graph, const std::string& name,
                                       const std::string& input, int64_t rows, int64_t columns);
// [N, C, H, W] -> [N, C * H * W], as torch's flatten(1).
std::string emit_flatten(GraphBuilder& graph, const std::string& name, const std::string& input);
// Gemm: input [N, in] times weight^T plus bias.
std::string emit_linear(GraphBuilder& graph, const torch::nn::LinearImpl& linear,
                        const std::string& path, const std::string& input);
// x * sigmoid(fc2(relu(fc1(mean over H, W of x)))): GlobalAveragePool, Conv, Relu, Conv,
// Sigmoid, Mul.
std::string emit_squeeze_excitation(GraphBuilder& graph, const nn::SqueezeExcitationImpl& se,
                                    const std::string& path, const std::string& input);
std::string emit_add(GraphBuilder& graph, const std::string& name, const std::string& a,
                     const std::string& b);
// Zeros appended after the last channel / row / column (torch::constant_pad_nd).
std::string emit_zero_pad(GraphBuilder& graph, const std::string& name, const std::string& input,
                          int64_t channels, int64_t rows, int64_t columns);

// Any single layer module (Conv2d, batch norm, ReLU, MaxPool2d, Dropout, Linear, SE) or a
// Sequential of them, run in order: what the generic parts of a network (VGG's features
// and classifier) are made of. Throws faceage::Error naming the path for anything else.
std::string emit_module(GraphBuilder& graph, const torch::nn::Module& module,
                        const std::string& path, const std::string& input);

}  // namespace faceage::onnx_export
