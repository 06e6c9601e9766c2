#pragma once
// Progress of long work: on a terminal, one line redrawn in place with items/s and ETA;
// in a log (not a terminal), a plain line every few percent.
#include <chrono>
#include <cstdint>
#include <string>

namespace faceage {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit = "img");
  // `done` items so far; `note` is appended (e.g. the running loss).
  void update(int64_t done, const std::string& note = "");
  void finish(const std::string& note = "");
  double items_per_second() const;

 private:
  std::string label_, unit_;
  int64_t total_, done_ = 0;
  bool terminal_;
  int last_percent_logged_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace faceage
