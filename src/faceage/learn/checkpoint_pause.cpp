#include "faceage/learn/checkpoint_pause.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace faceage {

void pause_in_checkpoint_write_if_asked(std::ostream& partial_file, int completed_epochs) {
  const char* request = std::getenv("FACEAGE_TEST_PAUSE_IN_CHECKPOINT_WRITE");
  if (!request) return;
  const std::string text = request;
  const size_t colon = text.find(':');
  if (colon == std::string::npos || std::atoi(text.substr(0, colon).c_str()) != completed_epochs)
    return;
  partial_file.flush();
  std::ofstream(text.substr(colon + 1)) << "paused in the checkpoint write\n";
  std::this_thread::sleep_for(std::chrono::minutes(5));  // the test kills us long before
}

}  // namespace faceage
