#include "faceage/core/device.h"

#include "faceage/core/error.h"

namespace faceage {

torch::Device choose_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) fail("device cuda: no CUDA device is available");
    return torch::kCUDA;
  }
  if (name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available()) fail("device {}: no CUDA device is available", name);
    return torch::Device(name);
  }
  return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

}  // namespace faceage
