#pragma once

namespace faceage {

// Makes the C library keep freed memory for the next allocation instead of returning it
// to the system. A batch's activations are tens of megabytes each; glibc maps such blocks
// fresh and unmaps them on free, so every forward and backward pass pays page faults on
// zeroed pages, which cost more than the convolutions themselves (SE-ResNeXt-50 at
// 224 px, batch 32: 2.0 images/s without, 21 with; docs/performance.md).
//
// Process-wide and lasting: the heap stays at its peak size. Called by the faceage
// command, the benchmarks and AgePredictor (PredictorOptions::reuse_freed_memory).
// FACEAGE_KEEP_FREED_MEMORY=0 in the environment turns it off. Returns whether it is in
// effect (false also where the C library is not glibc).
bool keep_freed_memory_for_reuse();

// Gives the memory freed so far back to the system (glibc's malloc_trim), for a
// long-running process after work far larger than usual (serve after a 25 MP photo).
// Returns whether anything was returned.
bool return_freed_memory();

}  // namespace faceage
