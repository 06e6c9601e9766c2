#pragma once
// Which device LibTorch runs a network on, from the name a user gives.
#include <string>

#include <torch/torch.h>

namespace faceage {

// "cpu", "cuda", "cuda:N" (one data-parallel process's GPU) or "auto": cuda when
// LibTorch was built with CUDA and sees a GPU. Throws faceage::Error when cuda is asked
// for and none is available.
torch::Device choose_device(const std::string& name);

}  // namespace faceage
