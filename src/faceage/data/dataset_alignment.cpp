#include "faceage/data/dataset_alignment.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "faceage/core/error.h"
#include "faceage/data/csv_fields.h"
#include "faceage/data/sample_csv.h"
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;

// The data stage's own row columns (data/sample_csv.h), then ours.
std::string rows_header() { return samples_csv_header() + ",score,faces"; }
const char* const kSkippedHeader = "photo,reason,detail";

// A message as one CSV field: messages may hold line breaks, a CSV field may not.
std::string one_line_field(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return quote_csv_field(text);
}

// The first field of a CSV line (the photo), unquoted; the whole line when it is malformed.
std::string first_field(const std::string& line) {
  try {
    const std::vector<std::string> fields = split_csv_line(line);
    return fields.empty() ? std::string() : fields.front();
  } catch (const Error&) {
    return line;
  }
}

std::string key_of(const fs::path& path) { return fs::absolute(path).lexically_normal().string(); }

// Makes `path` a file that starts with `header` and ends with a whole line, and returns the
// photos its rows name. A last line without its line break (a crash mid-write) is dropped.
std::set<std::string> open_output(const fs::path& path, const std::string& header,
                                  const fs::path& folder) {
  std::set<std::string> photos;
  if (!fs::exists(path) || fs::file_size(path) == 0) {
    write_text_atomically(path.string(), header + "\n");
    return photos;
  }
  std::string content = read_file_bytes(path.string());
  const size_t last_break = content.rfind('\n');
  if (last_break == std::string::npos) {
    write_text_atomically(path.string(), header + "\n");  // not even the header survived
    return photos;
  }
  if (last_break + 1 != content.size()) {
    content.resize(last_break + 1);
    fs::resize_file(path, content.size());
  }
  size_t start = 0;
  bool first = true;
  while (start < content.size()) {
    const size_t end = content.find('\n', start);
    std::string line = content.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (first) {
      if (line != header)
        fail(
            "{} exists but is not a `faceage align` output of this version (its first line is "
            "'{}', expected '{}'); choose another --out or remove it",
            path.string(), line.substr(0, 200), header);
      first = false;
      continue;
    }
    if (!line.empty()) photos.insert(key_of(folder / fs::path(first_field(line))));
  }
  return photos;
}

enum class Outcome { aligned, no_face, several_faces, unreadable, failed };

const char* reason_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::no_face:
      return "no_face";
    case Outcome::several_faces:
      return "several_faces";
    case Outcome::unreadable:
      return "unreadable";
    case Outcome::failed:
      return "error";
    case Outcome::aligned:
      break;
  }
  return "aligned";
}

struct PhotoResult {
  Outcome outcome = Outcome::failed;
  std::string line;     // the row (aligned) or the skipped line
  std::string message;  // why not aligned
  int faces = 0;
  bool padded = false;
  bool one_pass = false;
};

PhotoResult align_one(const Sample& sample, const FaceDetector& detector,
                      const AlignmentOptions& options, const fs::path& folder) {
  PhotoResult result;
  try {
    cv::Mat image;
    try {
      image = read_image(sample.image_path);
    } catch (const Error& e) {
      result.outcome = Outcome::unreadable;
      result.message = e.what();
    }
    if (!image.empty()) {
      const Alignment alignment = align_face(detector, image, options);
      result.faces = alignment.faces_found;
      if (alignment.face) {
        const AlignedFace& face = *alignment.face;
        Sample row = sample;
        row.angle = face.angle;
        row.box = face.face.box;
        result.outcome = Outcome::aligned;
        result.padded = face.padded();
        result.one_pass = !face.second_pass;
        result.line = fmt::format("{},{:.4f},{}", sample_csv_line(row, folder.string()),
                                  face.face.score, alignment.faces_found);
        return result;
      }
      result.outcome = alignment.faces_found == 0 ? Outcome::no_face : Outcome::several_faces;
      result.message = alignment.faces_found == 0
                           ? "no face found"
                           : fmt::format("{} faces found (policy {})", alignment.faces_found,
                                         face_policy_name(options.policy));
    }
  } catch (const std::exception& e) {
    result.outcome = Outcome::failed;
    result.message = e.what();
  }
  result.line = fmt::format("{},{},{}", quote_csv_field(path_for_csv(sample.image_path, folder.string())),
                            reason_name(result.outcome),
                            one_line_field(result.message));
  return result;
}

}  // namespace

std::string skipped_rows_path(const std::string& output) {
  fs::path path(output);
  const std::string stem =
      path.extension() == ".csv" ? path.stem().string() : path.filename().string();
  return (path.parent_path() / (stem + ".skipped.csv")).string();
}

DatasetAlignmentSummary align_samples(const std::vector<Sample>& samples,
                                      const FaceDetector& detector, const std::string& output,
                                      const DatasetAlignmentOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path rows_path = fs::absolute(output).lexically_normal();
  const fs::path folder = rows_path.parent_path();
  const fs::path skipped_path = skipped_rows_path(rows_path.string());
  if (!folder.empty()) fs::create_directories(folder);

  std::set<std::string> done = open_output(rows_path, rows_header(), folder);
  if (options.retry_skipped)
    write_text_atomically(skipped_path.string(), std::string(kSkippedHeader) + "\n");
  for (const std::string& photo : open_output(skipped_path, kSkippedHeader, folder))
    done.insert(photo);

  DatasetAlignmentSummary summary;
  summary.images = samples.size();
  std::vector<const Sample*> todo;
  std::set<std::string> queued;  // a photo listed twice in the dataset is aligned once
  for (const Sample& sample : samples) {
    const std::string key = key_of(sample.image_path);
    if (done.count(key) || !queued.insert(key).second)
      ++summary.already_done;
    else
      todo.push_back(&sample);
  }

  std::ofstream rows(rows_path, std::ios::app | std::ios::binary);
  std::ofstream skipped(skipped_path, std::ios::app | std::ios::binary);
  if (!rows) fail("{}: cannot open for appending", rows_path.string());
  if (!skipped) fail("{}: cannot open for appending", skipped_path.string());

  // Workers align photos in any order; finished photos are written in dataset order.
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<size_t, PhotoResult> finished;
  size_t next_to_write = 0;
  std::exception_ptr error;

  const auto write_ready = [&] {  // with `mutex` held
    for (auto found = finished.find(next_to_write); found != finished.end();
         found = finished.find(next_to_write)) {
      const PhotoResult& r = found->second;
      std::ofstream& out = r.outcome == Outcome::aligned ? rows : skipped;
      out << r.line << '\n';
      out.flush();
      if (!out)
        fail("{}: write failed (disk full?)",
             (r.outcome == Outcome::aligned ? rows_path : skipped_path).string());
      switch (r.outcome) {
        case Outcome::aligned:
          ++summary.aligned;
          break;
        case Outcome::no_face:
          ++summary.no_face;
          summary.no_face_photos.push_back(todo[next_to_write]->image_path);
          break;
        case Outcome::several_faces:
          break;
        case Outcome::unreadable:
          ++summary.unreadable;
          break;
        case Outcome::failed:
          ++summary.failed;
          break;
      }
      summary.several_faces += r.faces > 1;
      summary.padded += r.padded;
      summary.one_pass += r.one_pass;
      if (r.outcome != Outcome::aligned && options.on_skip)
        options.on_skip(todo[next_to_write]->image_path, reason_name(r.outcome), r.message);
      finished.erase(found);
      ++next_to_write;
      if (options.on_progress) {
        DatasetAlignmentProgress progress;
        progress.done = next_to_write;
        progress.total = todo.size();
        progress.aligned = summary.aligned;
        progress.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        options.on_progress(progress);
      }
    }
  };

  const auto work = [&] {
    try {
      for (size_t k = next++; k < todo.size() && !stop; k = next++) {
        PhotoResult result = align_one(*todo[k], detector, options.alignment, folder);
        std::lock_guard<std::mutex> lock(mutex);
        finished.emplace(k, std::move(result));
        write_ready();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };

  if (options.on_progress && !todo.empty()) options.on_progress({0, todo.size(), 0, 0.0});
  const int jobs =
      std::max(1, std::min<int>(options.jobs, static_cast<int>(std::max<size_t>(1, todo.size()))));
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);

  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace faceage
