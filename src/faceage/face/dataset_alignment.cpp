#include "faceage/face/dataset_alignment.h"

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
#include "faceage/io/atomic_file.h"
#include "faceage/io/image.h"

namespace faceage {
namespace {

namespace fs = std::filesystem;

const char* const kRowsHeader = "photo,age,deg,box1,box2,box3,box4,gender,race,subject,score,faces";
const char* const kSkippedHeader = "photo,reason,detail";

// RFC 4180 field: quoted when it holds a comma, quote, line break or edge space.
std::string quote(std::string field) {
  for (char& c : field)
    if (c == '\n' || c == '\r') c = ' ';
  const bool needs = field.find_first_of(",\"") != std::string::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// The first field of a CSV line (the photo), unquoted.
std::string first_field(const std::string& line) {
  if (line.empty() || line[0] != '"') return line.substr(0, line.find(','));
  std::string out;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '"') {
      if (i + 1 < line.size() && line[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        break;
      }
    } else {
      out += line[i];
    }
  }
  return out;
}

std::string key_of(const fs::path& path) { return fs::absolute(path).lexically_normal().string(); }

// Photo paths under the CSV's folder are written relative to it (as sample_csv.h does).
std::string photo_for_csv(const std::string& image_path, const fs::path& folder) {
  const fs::path image = fs::absolute(image_path).lexically_normal();
  const fs::path relative = image.lexically_relative(folder);
  const bool inside = !relative.empty() && *relative.begin() != "..";
  return inside ? relative.string() : image.string();
}

std::string label_text(int label) { return label == kUnknownLabel ? "" : std::to_string(label); }

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
            "{} exists but is not a `faceage align` output (its first line is '{}', expected "
            "'{}'); choose another --out or remove it",
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
  const std::string photo = quote(photo_for_csv(sample.image_path, folder));
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
        result.outcome = Outcome::aligned;
        result.padded = face.padded;
        result.one_pass = !face.second_pass;
        result.line =
            fmt::format("{},{},{:.4f},{:.2f},{:.2f},{:.2f},{:.2f},{},{},{},{:.4f},{}", photo,
                        sample.age, face.angle, face.box.x1, face.box.y1, face.box.x2, face.box.y2,
                        label_text(sample.gender), label_text(sample.ethnicity),
                        quote(sample.subject), face.score, alignment.faces_found);
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
  result.line = fmt::format("{},{},{}", photo, reason_name(result.outcome), quote(result.message));
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

  std::set<std::string> done = open_output(rows_path, kRowsHeader, folder);
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
