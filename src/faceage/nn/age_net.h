#pragma once
// The common shape of every age network: an ImageNet-style backbone whose classifier
// is replaced by a 101-way age head (ages 0..100), optionally with the multi-task
// gender and ethnicity heads of paper §4.6.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "faceage/nn/inference_plan.h"
#include "faceage/nn/input_requirements.h"

namespace faceage {

inline constexpr int64_t kNumAges = 101;  // ages 0..100 (paper §4.4.1)

struct AgeNetOptions {
  std::string architecture = "resnet18";  // see architectures()
  int64_t num_ages = kNumAges;
  bool multitask = false;      // gender + ethnicity heads (paper §4.6)
  int64_t num_genders = 2;
  int64_t num_ethnicities = 5;
  double dropout = 0.5;        // VGG classifier only, as torchvision
};

// Logits of each head; gender/ethnicity are undefined tensors unless multitask.
struct AgeNetOutput {
  torch::Tensor age_logits;        // [batch, num_ages]
  torch::Tensor gender_logits;     // [batch, num_genders]
  torch::Tensor ethnicity_logits;  // [batch, num_ethnicities]
};

class AgeNet : public torch::nn::Module {
 public:
  // images: [batch, 3, H, W], float, normalised; H, W >= minimum_input_size() (64 and
  // up for the sizes the ImageNet backbones were designed for).
  virtual AgeNetOutput forward(torch::Tensor images) = 0;
  const AgeNetOptions& options() const { return options_; }

  // How forward() expects its input after optimize_for_inference(); plain until then.
  const InferencePlan& inference_plan() const { return inference_plan_; }
  void set_inference_plan(const InferencePlan& plan) { inference_plan_ = plan; }

 protected:
  explicit AgeNet(AgeNetOptions options) : options_(std::move(options)) {}
  AgeNetOptions options_;
  InferencePlan inference_plan_;
};

// Builds the network named by options.architecture; throws faceage::Error for an
// unknown name, listing the known ones.
std::shared_ptr<AgeNet> make_age_net(const AgeNetOptions& options);

// "face_resnet29", "vgg16_bn", "resnet18", "resnet34", "resnet50", "seresnext50_32x4d".
const std::vector<std::string>& architectures();

}  // namespace faceage
