#include "faceage/learn/adam_update.h"

#include <cmath>

namespace faceage {

void adam_update(float* p, const float* grad, float* m, float* v, int64_t begin, int64_t end,
                 const AdamStepConstants& c) {
  for (int64_t i = begin; i < end; ++i) {
    const float g = grad[i] + c.weight_decay * p[i];
    m[i] = m[i] * c.beta1 + c.one_minus_beta1 * g;
    v[i] = v[i] * c.beta2 + c.one_minus_beta2 * g * g;
    p[i] -= c.step_size * (m[i] / (std::sqrt(v[i]) / c.bias_correction2_sqrt + c.eps));
  }
}

}  // namespace faceage
