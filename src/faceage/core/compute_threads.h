#pragma once

namespace faceage {

// Sets LibTorch's intra-op thread count. `requested` <= 0 means every logical CPU:
// LibTorch's own default counts physical cores, which leaves half of a hyperthreaded
// 2-vCPU machine idle (measured: 35 vs 63 training images/s for ResNet-18 at 96 px).
// Also makes OpenBLAS single-threaded (unless $OPENBLAS_NUM_THREADS says otherwise):
// LibTorch's threads already split the work, and OpenBLAS's own pool spin-waits on the
// same cores after every product (MTCNN detection ran 1.1-1.7x faster without it; the
// backbones' convolutions are oneDNN's and did not change). Returns the count in effect.
int use_compute_threads(int requested);

// OpenBLAS's own thread count, when LibTorch is linked against OpenBLAS (returns false
// otherwise: MKL, or a BLAS without openblas_set_num_threads).
bool set_blas_threads(int threads);

}  // namespace faceage
