#pragma once
// The key of a parameter's entry in a torch::optim::Optimizer's state: the parameter's
// TensorImpl, as its printed address in LibTorch 1.x and as the pointer itself in 2.x.
#include <sstream>
#include <string>
#include <type_traits>

#include <torch/torch.h>

namespace faceage {

template <typename StateMap>
typename StateMap::key_type optimizer_state_key(const StateMap&, const torch::Tensor& parameter) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;
    address << parameter.unsafeGetTensorImpl();
    return address.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

}  // namespace faceage
