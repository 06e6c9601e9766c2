#pragma once
// What the trainer and evaluator iterate: batches of one epoch, in a deterministic order.
#include <optional>

#include "faceage/data/batch.h"

namespace faceage {

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Starts an epoch (0-based): shuffling and augmentation are seeded by it.
  virtual void start_epoch(int epoch) = 0;
  // The next batch of the epoch, or nothing at its end.
  virtual std::optional<Batch> next() = 0;
  virtual size_t batches_per_epoch() const = 0;
  virtual size_t samples() const = 0;
};

}  // namespace faceage
