#pragma once
// A network whose trunk can run as a OneDnnTrunk (the ResNet family, face_resnet29).
// optimize_for_inference() finds such networks through this one base, so adding a
// network to the chain means describing its trunk here, not teaching callers its type.
#include <memory>
#include <utility>

#include "faceage/nn/onednn_trunk.h"

namespace faceage::nn {

class OneDnnTrunkHost {
 public:
  virtual ~OneDnnTrunkHost() = default;

  // From now on forward() runs the trunk as faceage's own chain of oneDNN primitives
  // (onednn_trunk.h) in `precision`: for inference only, with every batch norm already
  // folded. int8 needs the ranges OneDnnTrunk::record_ranges measured on a float32 trunk.
  void use_onednn_trunk(Precision precision = Precision::kFloat32,
                        ActivationRanges ranges = {}) {
    onednn_trunk_ =
        std::make_shared<OneDnnTrunk>(trunk_description(), precision, std::move(ranges));
  }

  // The trunk use_onednn_trunk() made, or null.
  OneDnnTrunk* onednn_trunk() const { return onednn_trunk_.get(); }

 protected:
  // The trunk's convolutions with their batch norms folded in, block by block.
  virtual TrunkDescription trunk_description() const = 0;

  std::shared_ptr<OneDnnTrunk> onednn_trunk_;
};

}  // namespace faceage::nn
