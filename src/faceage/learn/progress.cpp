#include "faceage/learn/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace faceage {

namespace {
std::string duration_text(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}
}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      terminal_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::items_per_second() const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
}

void ProgressBar::update(int64_t done, const std::string& note) {
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  const double rate = items_per_second();
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
  const int percent = total_ > 0 ? static_cast<int>(100 * done_ / total_) : 100;
  if (terminal_) {
    if (now - last_draw_ < std::chrono::milliseconds(200) && done_ < total_) return;
    last_draw_ = now;
    const int width = 24, filled = width * percent / 100;
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %lld/%lld %.1f %s/s ETA %s %s\033[K", label_.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 percent, static_cast<long long>(done_), static_cast<long long>(total_), rate,
                 unit_.c_str(), duration_text(eta).c_str(), note.c_str());
  } else if (percent / 10 > last_percent_logged_ / 10 || last_percent_logged_ < 0) {
    last_percent_logged_ = percent;
    std::fprintf(stderr, "%s %d%% %lld/%lld %.1f %s/s ETA %s %s\n", label_.c_str(), percent,
                 static_cast<long long>(done_), static_cast<long long>(total_), rate,
                 unit_.c_str(), duration_text(eta).c_str(), note.c_str());
  }
  std::fflush(stderr);
}

void ProgressBar::finish(const std::string& note) {
  update(done_, note);
  if (terminal_) std::fprintf(stderr, "\n");
}

}  // namespace faceage
