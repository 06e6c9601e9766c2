#include "faceage/face/mtcnn_nets.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <vector>

#include "faceage/core/error.h"

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

// TensorFlow's SAME max pooling pads only after the input when the window overhangs;
// PyTorch's ceil mode gives the same windows (the pad is -inf in both).
torch::Tensor max_pool_same(const torch::Tensor& x, int64_t size, int64_t stride) {
  return torch::max_pool2d(x, {size, size}, {stride, stride}, {0, 0}, {1, 1}, /*ceil_mode=*/true);
}

torch::Tensor max_pool_valid(const torch::Tensor& x, int64_t size, int64_t stride) {
  return torch::max_pool2d(x, {size, size}, {stride, stride});
}

// The stored weights belong to networks that see transposed images. For a network that
// sees the image itself: every kernel is transposed (kh <-> kw), and the first dense
// layer, which flattened the transposed map in NHWC order (index (w*H + h)*C + c), is
// re-indexed for PyTorch's plain NCHW flatten (index (c*H + h)*W + w).
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
        .permute({0, 3, 2, 1})
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
    const torch::Tensor value = for_untransposed_image(
        source, key, found->second.to(torch::kFloat32),
        is_first_dense ? dense_input_chw : std::vector<int64_t>{});
    if (value.sizes() != item.value().sizes())
      fail("{}: tensor '{}' has shape {}, expected {}", source, key, shape_text(value.sizes()),
           shape_text(item.value().sizes()));
    item.value().copy_(value);
  }
  module.eval();
}

std::string executable_dir() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  return error ? std::string() : exe.parent_path().string();
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
  torch::Tensor x = max_pool_same(prelu1(conv1(images)), 2, 2);
  x = prelu3(conv3(prelu2(conv2(x))));
  return {conv4_1(x), conv4_2(x)};
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
  torch::Tensor x = max_pool_same(prelu1(conv1(crops)), 3, 2);
  x = max_pool_valid(prelu2(conv2(x)), 3, 2);
  x = prelu3(conv3(x));
  x = prelu4(dense4(x.flatten(1)));
  return {dense5_1(x), dense5_2(x)};
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
  torch::Tensor x = max_pool_same(prelu1(conv1(crops)), 3, 2);
  x = max_pool_valid(prelu2(conv2(x)), 3, 2);
  x = max_pool_same(prelu3(conv3(x)), 2, 2);
  x = prelu4(conv4(x));
  x = prelu5(dense5(x.flatten(1)));
  return {dense6_1(x), dense6_2(x), dense6_3(x)};
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
  const char* kHow =
      "run scripts/fetch-mtcnn-weights.sh (it downloads and converts the MTCNN weights) or "
      "set FACEAGE_MTCNN_WEIGHTS to the file";
  if (!explicit_path.empty()) {
    if (!fs::is_regular_file(explicit_path))
      fail("MTCNN weights file {} does not exist: {}", explicit_path, kHow);
    return explicit_path;
  }
  if (const char* env = std::getenv("FACEAGE_MTCNN_WEIGHTS"); env && *env) {
    if (!fs::is_regular_file(env))
      fail("MTCNN weights file {} (from FACEAGE_MTCNN_WEIGHTS) does not exist: {}", env, kHow);
    return env;
  }
  std::vector<fs::path> candidates;
  if (const std::string exe = executable_dir(); !exe.empty())
    candidates.push_back(fs::path(exe) / ".." / "share" / "faceage" / "models" /
                         "mtcnn.safetensors");
  // This file is src/faceage/face/mtcnn_nets.cpp of the source tree.
  const fs::path source_root = fs::path(__FILE__).parent_path() / ".." / ".." / "..";
  candidates.push_back(source_root / "models" / "mtcnn.safetensors");
  std::string tried;
  for (const fs::path& candidate : candidates) {
    const fs::path normal = candidate.lexically_normal();
    if (fs::is_regular_file(normal)) return normal.string();
    tried += (tried.empty() ? "" : ", ") + normal.string();
  }
  fail("MTCNN weights not found (tried {}): {}", tried, kHow);
}

}  // namespace faceage
