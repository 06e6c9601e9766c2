#pragma once
// `faceage train --nproc N`: N copies of a command on this machine, each with torchrun's
// environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, a
// free MASTER_PORT). SIGINT/SIGTERM are passed on; when one process fails the others are
// stopped; a process whose launcher dies is killed with it.
#include <string>
#include <vector>

namespace faceage {

// argv[0] is the program. Returns 0 when every process succeeded, else the exit code of
// the first that failed (128 + signal for one killed by a signal).
int run_local_processes(const std::vector<std::string>& argv, int count);

}  // namespace faceage
