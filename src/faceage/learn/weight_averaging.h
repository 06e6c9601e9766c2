#pragma once
// Weight averaging ("model soup" / SWA): checkpoints of one run, or of a run and its
// fine-tuning, lie in one basin of the loss; the mean of their weights usually predicts
// better than any one of them, at no cost at inference.
#include <string>
#include <vector>

#include "faceage/model/model_file.h"

namespace faceage {

// The element-wise mean of the floating-point weights of `model` and the models or
// checkpoints at `others` (integer buffers such as BN's batch counters are kept from
// `model`). Throws faceage::Error naming the file whose architecture or heads differ.
void average_weights(LoadedModel& model, const std::vector<std::string>& others);

}  // namespace faceage
