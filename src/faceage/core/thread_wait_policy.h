#pragma once

namespace faceage {

// Idle OpenMP worker threads spin only briefly, then sleep. GNU libgomp (LibTorch's and
// oneDNN's thread pool here) spins up to GOMP_SPINCOUNT (300000 polls, a few ms) after
// every parallel region by default; on a CPU shared with other work those polls take the
// time slices that the other threads of the same region need. Sleeping at once
// (OMP_WAIT_POLICY=passive, spin count 0) costs a wake-up per region instead, which on a
// quiet CPU made MTCNN's many small operators 28% slower. kIdleSpinCount polls keep the
// quiet figures (docs/performance.md, "On a busy CPU": 2-core machine, one busy process
// per core: predict 11% -> 42% of its quiet photos/s, training 6% -> 55%).
//
// libgomp reads its environment once, in its own constructor, which runs before any
// initialiser of a program that links faceage (and setenv in .preinit_array is undone by
// libc's own start-up, measured). So a program's main() calls this first: when neither
// OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, it sets GOMP_SPINCOUNT=kIdleSpinCount and
// re-executes the program once (/proc/self/exe, the same arguments) before any work.
// Setting either variable (e.g. OMP_WAIT_POLICY=active) keeps the process as it started.
// The `faceage` command calls it. The library never does on its own:
// a program that embeds faceage (a server, a Python interpreter) is not restarted behind
// its back; it sets GOMP_SPINCOUNT=3000 in its environment, or calls this itself.
//
// Returns whether libgomp runs with a chosen policy (ours or the user's); false when the
// re-execution could not happen (no /proc): the process then spins as before.
bool restart_with_sleeping_idle_threads();

inline constexpr const char* kIdleSpinCount = "3000";

}  // namespace faceage
