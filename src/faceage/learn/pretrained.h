#pragma once
// Starting weights for training (model.pretrained): ImageNet backbones or an earlier
// faceage model. The heads may differ (1000 ImageNet classes vs 101 ages, a multi-task
// head added), but the backbone must load whole: a file of another architecture would
// otherwise load a handful of matching tensors and train from scratch unnoticed.
#include <string>

#include "faceage/nn/age_net.h"
#include "faceage/nn/weights.h"

namespace faceage {

// Loads what fits; throws faceage::Error naming the file when a backbone tensor is
// missing or has another shape.
nn::LoadReport load_pretrained(const std::string& path, AgeNet& network);

}  // namespace faceage
