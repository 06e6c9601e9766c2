#pragma once
// The elementwise Adam update of learn/fused_adam.h over flat float arrays, apart from
// LibTorch: this file is compiled with -fno-math-errno so that its loop vectorises (the
// square root's argument, a running mean of squares, is never negative).
#include <cstdint>

namespace faceage {

// Each rounded to float once from its double, as LibTorch passes its scalars (1 - beta2
// rounded from 0.999f would be 5e-5 off).
struct AdamStepConstants {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, weight_decay, eps, step_size,
      bias_correction2_sqrt;
};

// Elements [begin, end): reads p, grad, m, v once and writes p, m, v once.
void adam_update(float* p, const float* grad, float* m, float* v, int64_t begin, int64_t end,
                 const AdamStepConstants& c);

}  // namespace faceage
