#pragma once
// What the loader hands the trainer: a batch of preprocessed faces and their labels.
#include <vector>

#include <torch/torch.h>

namespace faceage {

struct Batch {
  torch::Tensor images;       // [batch, 3, size, size] float32, normalised
  torch::Tensor ages;         // [batch] float32, years
  torch::Tensor genders;      // [batch] int64, -1 where unknown
  torch::Tensor ethnicities;  // [batch] int64, -1 where unknown
  std::vector<size_t> sample_indices;  // rows of the dataset, for reports
};

}  // namespace faceage
