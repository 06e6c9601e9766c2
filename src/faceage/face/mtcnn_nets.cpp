#include "faceage/face/mtcnn_nets.h"

#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <vector>

#include <ATen/Parallel.h>

#include "faceage/core/error.h"
#include "faceage/core/model_files.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;

std::string shape_text(torch::IntArrayRef sizes) {
  std::ostringstream text;
  text << sizes;
  return text.str();
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel));
}

torch::nn::PReLU prelu(int64_t channels) {
  return torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(channels));
}

// The networks run channels-last (NHWC memory): oneDNN's convolutions take it without
// reordering, and the two kernels below then work on contiguous rows of channels. On this
// project's CPUs LibTorch 1.13's own max pooling was 5-8x slower on these small maps (in
// NCHW far more), and PReLU 2-3x; together they took most of the detection time.
// (Inference only: the kernels write through raw pointers, so a tensor that needs
// gradients takes LibTorch's own operators.)
bool is_cpu_float(const torch::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && !x.requires_grad();
}

// PReLU in place, slope per channel, on channels-last [N, C, H, W] or contiguous [N, C].
torch::Tensor prelu_(torch::Tensor x, const torch::Tensor& slope) {
  const bool rows_of_channels =
      is_cpu_float(x) && is_cpu_float(slope) &&
      ((x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast)) ||
       (x.dim() == 2 && x.is_contiguous()));
  if (!rows_of_channels) return torch::prelu(x, slope);
  const int64_t channels = x.size(1), rows = x.numel() / channels;
  float* data = x.data_ptr<float>();
  const torch::Tensor slope_values = slope.contiguous();
  const float* a = slope_values.data_ptr<float>();
  at::parallel_for(0, rows, std::max<int64_t>(1, 32768 / channels),
                   [&](int64_t begin, int64_t end) {
                     for (int64_t r = begin; r < end; ++r) {
                       float* row = data + r * channels;
                       for (int64_t c = 0; c < channels; ++c)
                         row[c] = row[c] > 0 ? row[c] : row[c] * a[c];
                     }
                   });
  return x;
}

// Max pooling without padding. `ceil_mode` keeps the last, overhanging window, which is
// TensorFlow's SAME pooling here (SAME pads only after the input, with -inf, when
// the window overhangs).
torch::Tensor max_pool(const torch::Tensor& x, int64_t size, int64_t stride, bool ceil_mode) {
  auto extent = [&](int64_t in) {
    int64_t out = (ceil_mode ? in - size + stride - 1 : in - size) / stride + 1;
    if (ceil_mode && (out - 1) * stride >= in) --out;  // a window must start inside (PyTorch)
    return out;
  };
  const bool fast = is_cpu_float(x) && x.dim() == 4 &&
                    x.is_contiguous(at::MemoryFormat::ChannelsLast) && x.size(2) >= size &&
                    x.size(3) >= size;
  if (!fast) return torch::max_pool2d(x, {size, size}, {stride, stride}, {0, 0}, {1, 1}, ceil_mode);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t oh = extent(h), ow = extent(w);
  torch::Tensor out =
      torch::empty({n, c, oh, ow}, x.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* in = x.data_ptr<float>();
  float* result = out.data_ptr<float>();
  at::parallel_for(0, n * oh, std::max<int64_t>(1, 32768 / (ow * c * size * size)),
                   [&](int64_t begin, int64_t end) {
                     for (int64_t row = begin; row < end; ++row) {
                       const int64_t image = row / oh, y = row % oh;
                       const int64_t y0 = y * stride, y1 = std::min(y0 + size, h);
                       for (int64_t xo = 0; xo < ow; ++xo) {
                         const int64_t x0 = xo * stride, x1 = std::min(x0 + size, w);
                         float* dst = result + ((image * oh + y) * ow + xo) * c;
                         const float* first = in + ((image * h + y0) * w + x0) * c;
                         std::copy(first, first + c, dst);
                         for (int64_t iy = y0; iy < y1; ++iy)
                           for (int64_t ix = x0; ix < x1; ++ix) {
                             const float* src = in + ((image * h + iy) * w + ix) * c;
                             for (int64_t k = 0; k < c; ++k) dst[k] = std::max(dst[k], src[k]);
                           }
                       }
                     }
                   });
  return out;
}

torch::Tensor max_pool_same(const torch::Tensor& x, int64_t size, int64_t stride) {
  return max_pool(x, size, stride, /*ceil_mode=*/true);
}

torch::Tensor max_pool_valid(const torch::Tensor& x, int64_t size, int64_t stride) {
  return max_pool(x, size, stride, /*ceil_mode=*/false);
}

torch::Tensor channels_last(const torch::Tensor& x) {
  return x.contiguous(at::MemoryFormat::ChannelsLast);
}

// Flattens [N, C, H, W] in NHWC order: free for a channels-last tensor.
torch::Tensor flatten_nhwc(const torch::Tensor& x) {
  return x.permute({0, 2, 3, 1}).reshape({x.size(0), -1});
}

// The stored weights belong to networks that see transposed images. For a network that
// sees the image itself: every kernel is transposed (kh <-> kw), and the first dense
// layer, which flattened the transposed map in NHWC order (index (w*H + h)*C + c), is
// re-indexed for the NHWC flatten of the map itself (index (h*W + w)*C + c).
torch::Tensor for_untransposed_image(const std::string& source, const std::string& name,
                                     const torch::Tensor& stored,
                                     const std::vector<int64_t>& dense_input_chw) {
  if (stored.dim() == 4) return stored.transpose(2, 3).contiguous();
  if (!dense_input_chw.empty()) {
    const int64_t channels = dense_input_chw[0], height = dense_input_chw[1],
                  width = dense_input_chw[2];
    if (stored.dim() != 2 || stored.size(1) != channels * height * width)
      fail("{}: tensor '{}' has shape {}, expected [*, {}]", source, name,
           shape_text(stored.sizes()), channels * height * width);
    return stored.view({stored.size(0), width, height, channels})
        .permute({0, 2, 1, 3})
        .reshape({stored.size(0), -1})
        .contiguous();
  }
  return stored;
}

// Copies every parameter of `module` from `tensors["<net>.<parameter name>"]`.
void load_module(torch::nn::Module& module, const std::string& net, const TensorMap& tensors,
                 const std::string& source, const std::string& first_dense,
                 const std::vector<int64_t>& dense_input_chw) {
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    const std::string key = net + "." + item.key();
    auto found = tensors.find(key);
    if (found == tensors.end())
      fail("{}: tensor '{}' is missing; rerun scripts/fetch-mtcnn-weights.sh", source, key);
    const bool is_first_dense = item.key() == first_dense + ".weight";
    const torch::Tensor value =
        for_untransposed_image(source, key, found->second.to(torch::kFloat32),
                               is_first_dense ? dense_input_chw : std::vector<int64_t>{});
    if (value.sizes() != item.value().sizes())
      fail("{}: tensor '{}' has shape {}, expected {}", source, key, shape_text(value.sizes()),
           shape_text(item.value().sizes()));
    item.value().copy_(value);
  }
  module.eval();
}

using Kind = MtcnnLayer::Kind;

MtcnnLayer convolution(const torch::nn::Conv2d& conv, const torch::nn::PReLU& prelu) {
  return {Kind::kConvolution, conv->weight, conv->bias, prelu ? prelu->weight : torch::Tensor()};
}

MtcnnLayer dense(const torch::nn::Linear& linear, const torch::nn::PReLU& prelu) {
  return {Kind::kDense, linear->weight, linear->bias, prelu->weight};
}

MtcnnLayer pool(Kind kind, int64_t size, int64_t stride) {
  return {kind, {}, {}, {}, size, stride};
}

// Heads side by side: one layer of `kind` whose outputs are each head's, in order.
MtcnnLayer heads(Kind kind, const std::vector<torch::Tensor>& weights,
                 const std::vector<torch::Tensor>& biases) {
  return {kind, torch::cat(weights), torch::cat(biases), {}};
}

}  // namespace

PNetImpl::PNetImpl()
    : conv1(register_module("conv1", conv(3, 10, 3))),
      conv2(register_module("conv2", conv(10, 16, 3))),
      conv3(register_module("conv3", conv(16, 32, 3))),
      conv4_1(register_module("conv4_1", conv(32, 2, 1))),
      conv4_2(register_module("conv4_2", conv(32, 4, 1))),
      prelu1(register_module("prelu1", prelu(10))),
      prelu2(register_module("prelu2", prelu(16))),
      prelu3(register_module("prelu3", prelu(32))) {}

PNetOutput PNetImpl::forward(const torch::Tensor& images) {
  torch::Tensor x = max_pool_same(prelu_(conv1(channels_last(images)), prelu1->weight), 2, 2);
  x = prelu_(conv2(x), prelu2->weight);
  x = prelu_(conv3(x), prelu3->weight);
  return {conv4_1(x), conv4_2(x)};
}

std::vector<MtcnnLayer> PNetImpl::layers() const {
  return {convolution(conv1, prelu1), pool(Kind::kMaxPoolSame, 2, 2), convolution(conv2, prelu2),
          convolution(conv3, prelu3),
          heads(Kind::kConvolution, {conv4_1->weight, conv4_2->weight},
                {conv4_1->bias, conv4_2->bias})};
}

RNetImpl::RNetImpl()
    : conv1(register_module("conv1", conv(3, 28, 3))),
      conv2(register_module("conv2", conv(28, 48, 3))),
      conv3(register_module("conv3", conv(48, 64, 2))),
      prelu1(register_module("prelu1", prelu(28))),
      prelu2(register_module("prelu2", prelu(48))),
      prelu3(register_module("prelu3", prelu(64))),
      prelu4(register_module("prelu4", prelu(128))),
      dense4(register_module("dense4", torch::nn::Linear(576, 128))),
      dense5_1(register_module("dense5_1", torch::nn::Linear(128, 2))),
      dense5_2(register_module("dense5_2", torch::nn::Linear(128, 4))) {}

RNetOutput RNetImpl::forward(const torch::Tensor& crops) {
  torch::Tensor x = max_pool_same(prelu_(conv1(channels_last(crops)), prelu1->weight), 3, 2);
  x = max_pool_valid(prelu_(conv2(x), prelu2->weight), 3, 2);
  x = prelu_(conv3(x), prelu3->weight);
  x = prelu_(dense4(flatten_nhwc(x)), prelu4->weight);
  return {dense5_1(x), dense5_2(x)};
}

std::vector<MtcnnLayer> RNetImpl::layers() const {
  return {convolution(conv1, prelu1), pool(Kind::kMaxPoolSame, 3, 2), convolution(conv2, prelu2),
          pool(Kind::kMaxPoolValid, 3, 2), convolution(conv3, prelu3), dense(dense4, prelu4),
          heads(Kind::kDense, {dense5_1->weight, dense5_2->weight},
                {dense5_1->bias, dense5_2->bias})};
}

ONetImpl::ONetImpl()
    : conv1(register_module("conv1", conv(3, 32, 3))),
      conv2(register_module("conv2", conv(32, 64, 3))),
      conv3(register_module("conv3", conv(64, 64, 3))),
      conv4(register_module("conv4", conv(64, 128, 2))),
      prelu1(register_module("prelu1", prelu(32))),
      prelu2(register_module("prelu2", prelu(64))),
      prelu3(register_module("prelu3", prelu(64))),
      prelu4(register_module("prelu4", prelu(128))),
      prelu5(register_module("prelu5", prelu(256))),
      dense5(register_module("dense5", torch::nn::Linear(1152, 256))),
      dense6_1(register_module("dense6_1", torch::nn::Linear(256, 2))),
      dense6_2(register_module("dense6_2", torch::nn::Linear(256, 4))),
      dense6_3(register_module("dense6_3", torch::nn::Linear(256, 10))) {}

ONetOutput ONetImpl::forward(const torch::Tensor& crops) {
  torch::Tensor x = max_pool_same(prelu_(conv1(channels_last(crops)), prelu1->weight), 3, 2);
  x = max_pool_valid(prelu_(conv2(x), prelu2->weight), 3, 2);
  x = max_pool_same(prelu_(conv3(x), prelu3->weight), 2, 2);
  x = prelu_(conv4(x), prelu4->weight);
  x = prelu_(dense5(flatten_nhwc(x)), prelu5->weight);
  return {dense6_1(x), dense6_2(x), dense6_3(x)};
}

std::vector<MtcnnLayer> ONetImpl::layers() const {
  return {convolution(conv1, prelu1), pool(Kind::kMaxPoolSame, 3, 2), convolution(conv2, prelu2),
          pool(Kind::kMaxPoolValid, 3, 2), convolution(conv3, prelu3),
          pool(Kind::kMaxPoolSame, 2, 2), convolution(conv4, prelu4), dense(dense5, prelu5),
          heads(Kind::kDense, {dense6_1->weight, dense6_2->weight, dense6_3->weight},
                {dense6_1->bias, dense6_2->bias, dense6_3->bias})};
}

MtcnnNets load_mtcnn_nets(const TensorMap& tensors, const std::string& source) {
  MtcnnNets nets{PNet(), RNet(), ONet()};
  load_module(*nets.pnet, "pnet", tensors, source, "", {});
  load_module(*nets.rnet, "rnet", tensors, source, "dense4", {64, 3, 3});
  load_module(*nets.onet, "onet", tensors, source, "dense5", {128, 3, 3});
  return nets;
}

MtcnnNets load_mtcnn_nets(const std::string& path) {
  return load_mtcnn_nets(read_safetensors(path).tensors, path);
}

std::string find_mtcnn_weights(const std::string& explicit_path) {
  return find_model_file({"mtcnn.safetensors", "FACEAGE_MTCNN_WEIGHTS", "MTCNN weights",
                          "run scripts/fetch-mtcnn-weights.sh (it downloads and converts the "
                          "MTCNN weights) or set FACEAGE_MTCNN_WEIGHTS to the file"},
                         explicit_path);
}

}  // namespace faceage
