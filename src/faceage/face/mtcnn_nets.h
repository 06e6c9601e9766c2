#pragma once
// The three MTCNN networks (Zhang et al. 2016) as LibTorch modules, with the pretrained
// weights of facenet's det1/det2/det3 (scripts/fetch-mtcnn-weights.sh makes the file).
//
// Every network takes RGB images normalised as (x - 127.5) * 0.0078125, NCHW, in the
// image's own orientation. The original networks were trained on transposed images
// (height and width swapped); load_mtcnn_nets folds that transposition into the
// weights, so callers never transpose anything.
//
// Submodules carry the names of the weights file (conv1, prelu1, ..., dense6_3), as
// facenet-pytorch names them.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "faceage/io/safetensors.h"

namespace faceage {

// One step of an MTCNN network as the fused oneDNN chain (mtcnn_chain.h) builds it.
struct MtcnnLayer {
  enum class Kind {
    kConvolution,   // weight [out, in, k, k], stride 1, no padding
    kMaxPoolSame,   // `size` x `size` windows at `stride`, the overhanging one kept
    kMaxPoolValid,  // the same without it
    kDense,         // weight [out, inputs], inputs in NHWC order of the map before it
  };
  Kind kind;
  torch::Tensor weight, bias;
  torch::Tensor prelu_slopes;  // a PReLU after the layer; undefined: none
  int64_t size = 0, stride = 1;
};

struct PNetOutput {
  torch::Tensor logits;   // [N, 2, h, w]: (not face, face) for each 12x12 window at stride 2
  torch::Tensor offsets;  // [N, 4, h, w]: box regression (dx1, dy1, dx2, dy2) / box size
};

struct RNetOutput {
  torch::Tensor logits;   // [N, 2]
  torch::Tensor offsets;  // [N, 4]
};

struct ONetOutput {
  torch::Tensor logits;     // [N, 2]
  torch::Tensor offsets;    // [N, 4]
  torch::Tensor landmarks;  // [N, 10]: x of the 5 points, then y, relative to the box
};

// Proposal network: fully convolutional, any input size >= 12x12.
class PNetImpl : public torch::nn::Module {
 public:
  PNetImpl();
  PNetOutput forward(const torch::Tensor& images);
  // The layers in order; the last is every head at once (their outputs side by side, in
  // the order of PNetOutput's fields).
  std::vector<MtcnnLayer> layers() const;

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4_1{nullptr},
      conv4_2{nullptr};
  torch::nn::PReLU prelu1{nullptr}, prelu2{nullptr}, prelu3{nullptr};
};
TORCH_MODULE(PNet);

// Refinement network: 24x24 crops.
class RNetImpl : public torch::nn::Module {
 public:
  RNetImpl();
  RNetOutput forward(const torch::Tensor& crops);
  // The layers in order; the last is every head at once (their outputs side by side, in
  // the order of RNetOutput's fields).
  std::vector<MtcnnLayer> layers() const;

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::PReLU prelu1{nullptr}, prelu2{nullptr}, prelu3{nullptr}, prelu4{nullptr};
  torch::nn::Linear dense4{nullptr}, dense5_1{nullptr}, dense5_2{nullptr};
};
TORCH_MODULE(RNet);

// Output network: 48x48 crops; also gives the five landmarks.
class ONetImpl : public torch::nn::Module {
 public:
  ONetImpl();
  ONetOutput forward(const torch::Tensor& crops);
  // The layers in order; the last is every head at once (their outputs side by side, in
  // the order of ONetOutput's fields).
  std::vector<MtcnnLayer> layers() const;

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr};
  torch::nn::PReLU prelu1{nullptr}, prelu2{nullptr}, prelu3{nullptr}, prelu4{nullptr},
      prelu5{nullptr};
  torch::nn::Linear dense5{nullptr}, dense6_1{nullptr}, dense6_2{nullptr}, dense6_3{nullptr};
};
TORCH_MODULE(ONet);

struct MtcnnNets {
  PNet pnet;
  RNet rnet;
  ONet onet;
};

// Loads the three networks from a file written by scripts/fetch-mtcnn-weights.sh and puts
// them in eval mode. Throws faceage::Error naming the file and the missing or misshapen
// tensor.
MtcnnNets load_mtcnn_nets(const std::string& path);
MtcnnNets load_mtcnn_nets(const TensorMap& tensors, const std::string& source);

// Where the weights are: `explicit_path` when given (it must exist), else
// $FACEAGE_MTCNN_WEIGHTS, else models/mtcnn.safetensors beside an installed faceage
// (<prefix>/share/faceage/models) or in the source tree this library was built from.
// Throws faceage::Error listing the places tried and saying to run
// scripts/fetch-mtcnn-weights.sh.
std::string find_mtcnn_weights(const std::string& explicit_path = "");

}  // namespace faceage
