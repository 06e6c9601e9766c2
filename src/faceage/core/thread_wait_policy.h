#pragma once

namespace faceage {

// Idle OpenMP worker threads sleep instead of spinning. GNU libgomp (LibTorch's and
// oneDNN's thread pool here) spins up to GOMP_SPINCOUNT (300000 polls, a few ms) after
// every parallel region by default; on a CPU shared with other work those polls take the
// time slices that the other threads of the same region need (measured: predict 1.12
// photos/s by default, 9.2 with OMP_WAIT_POLICY=passive, on a 2-core machine at load 5).
//
// libgomp reads its environment once, in its own constructor, which runs before any
// initialiser of a program that links faceage (and setenv in .preinit_array is undone by
// libc's own start-up, measured). So at start-up, when neither OMP_WAIT_POLICY nor
// GOMP_SPINCOUNT is set, the process sets OMP_WAIT_POLICY=passive and re-executes itself
// once (/proc/self/exe, the same arguments), before main and before any work. Setting
// either variable (e.g. OMP_WAIT_POLICY=active) keeps the process as it started.
//
// True when libgomp started with a policy chosen (ours, passive, or the user's own);
// calling it also links the start-up hook into every program that uses faceage's threads.
bool keep_passive_thread_waiting();

}  // namespace faceage
