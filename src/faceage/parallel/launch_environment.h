#pragma once
// Where this process stands in a data-parallel run, read from the variables torchrun sets
// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), so torchrun,
// Slurm or Kubernetes jobs written for PyTorch start faceage unchanged.
#include <string>

namespace faceage {

struct LaunchEnvironment {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;        // which device of this machine (cuda:LOCAL_RANK)
  int local_world_size = 1;  // processes on this machine: they share its CPU cores
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;

  bool distributed() const { return world_size > 1; }
  bool primary() const { return rank == 0; }
};

// Without WORLD_SIZE: one process. Throws faceage::Error naming the variable when one is
// not a number or they contradict each other (RANK >= WORLD_SIZE, a port out of range).
LaunchEnvironment launch_environment_from_env();

}  // namespace faceage
