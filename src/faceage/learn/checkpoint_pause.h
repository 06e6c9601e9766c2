#pragma once
// A test hook for the kill -9 test (tests/learn/kill_during_checkpoint_test.cpp): with
// FACEAGE_TEST_PAUSE_IN_CHECKPOINT_WRITE=EPOCHS:MARKER in the environment, the write of
// the checkpoint that records EPOCHS completed epochs stops halfway: the part written so
// far is flushed to the temporary file, MARKER is created, and the process sleeps so the
// test can kill it in the middle of the write. Without the variable it does nothing.
#include <ostream>

namespace faceage {

void pause_in_checkpoint_write_if_asked(std::ostream& partial_file, int completed_epochs);

}  // namespace faceage
