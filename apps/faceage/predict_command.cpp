// `faceage predict PATH...`: ages of every face in photos, folders (recursively), videos
// and cameras, as JSON lines (one per photo or video frame), with optional annotated
// copies. Faces of several photos go through the model together; in videos the same face
// is followed across frames and its age smoothed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <opencv2/videoio.hpp>

#include "command.h"
#include "predictor_cli.h"
#include "faceage/core/error.h"
#include "faceage/infer/face_tracker.h"
#include "faceage/infer/media_inputs.h"
#include "faceage/infer/prediction_output.h"
#include "faceage/infer/predictor.h"
#include "faceage/io/image.h"
#include "faceage/learn/training_images_fingerprint.h"

namespace faceage::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct PredictSettings {
  std::vector<std::string> inputs;
  PredictorOptions predictor;
  std::string output, annotate_dir;
  bool cropped = false, quiet = false;
  FaceJsonOptions json;  // --distribution
  int batch_images = 8, every = 1, max_frames = 0;
};

// Exit code when some inputs could not be read and the rest were predicted.
constexpr int kPartialFailure = 3;

struct Counts {
  size_t images = 0, frames = 0, faces = 0, without_face = 0, failed = 0;
  size_t skipped = 0;  // folder entries not tried (unsupported format, broken link, ...)
};

class PredictRun {
 public:
  PredictRun(const PredictSettings& s, std::ostream& out)
      : settings_(s), predictor_(s.predictor), out_(out) {
    if (!s.annotate_dir.empty()) fs::create_directories(s.annotate_dir);
  }

  void run(const MediaListing& listing) {
    counts_.skipped = listing.skipped.size();  // named by run_predict already
    for (const std::string& empty : listing.empty_arguments)
      fail_input(empty, fmt::format("{}: the folder holds no photo or video", empty));
    const std::vector<MediaInput>& inputs = listing.inputs;
    std::vector<MediaInput> pending;
    for (const MediaInput& input : inputs) {
      if (input.kind == MediaKind::image) {
        pending.push_back(input);
        if (static_cast<int>(pending.size()) >= settings_.batch_images) flush_images(pending);
        continue;
      }
      flush_images(pending);
      run_video(input);
    }
    flush_images(pending);
  }

  const ModelSpec& model() const { return predictor_.model(); }
  const Counts& counts() const { return counts_; }
  const PredictTimings& timings() const { return timings_; }

 private:
  std::vector<std::vector<FacePrediction>> predict(const std::vector<cv::Mat>& images) {
    if (!settings_.cropped) return predictor_.predict(images, &timings_);
    std::vector<std::vector<FacePrediction>> out;
    for (FacePrediction& face : predictor_.predict_crops(images, &timings_)) out.push_back({face});
    return out;
  }

  // Lines come out in input order, a failed read in its place.
  void flush_images(std::vector<MediaInput>& pending) {
    std::vector<cv::Mat> images;
    std::vector<std::string> errors(pending.size());
    for (size_t i = 0; i < pending.size(); ++i) {
      try {
        images.push_back(read_image(pending[i].path));
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    }
    std::vector<std::vector<FacePrediction>> results;
    if (!images.empty()) results = predict(images);
    for (size_t i = 0, next = 0; i < pending.size(); ++i) {
      if (!errors[i].empty()) {
        fail_input(pending[i].path, errors[i]);
        continue;
      }
      const cv::Mat& image = images[next];
      const std::vector<FacePrediction>& faces = results[next++];
      ++counts_.images;
      report(image, faces, {{"source", pending[i].path}}, {});
      if (!settings_.annotate_dir.empty())
        write_image(annotated_path(pending[i].path, ".jpg"), draw_predictions(image, faces));
    }
    pending.clear();
  }

  void run_video(const MediaInput& input) {
    cv::VideoCapture capture;
    if (input.kind == MediaKind::camera)
      capture.open(input.camera_index);
    else
      capture.open(input.path);
    if (!capture.isOpened())
      return fail_input(input.path, fmt::format("{}: cannot open the {}", input.path,
                                                input.kind == MediaKind::camera ? "camera" : "video"));
    const double fps = capture.get(cv::CAP_PROP_FPS);
    FaceTracker tracker;
    cv::VideoWriter writer;
    cv::Mat frame;
    for (int index = 0; capture.read(frame) && !frame.empty(); ++index) {
      if (settings_.max_frames > 0 && index >= settings_.max_frames) break;
      if (index % settings_.every != 0) continue;
      ++counts_.frames;
      const std::vector<FacePrediction> faces = predict({frame}).front();
      std::vector<FaceBox> boxes;
      std::vector<double> ages, spreads;
      for (const FacePrediction& face : faces) {
        boxes.push_back(face.aligned ? face.aligned->detection.box : FaceBox{0, 0, 1, 1});
        ages.push_back(face.age);
        spreads.push_back(face.age_std);
      }
      const std::vector<TrackedFace> tracked = tracker.update(boxes, ages, spreads);
      nlohmann::json where = {{"source", input.path}, {"frame", index}};
      if (fps > 0) where["time_s"] = std::round(index / fps * 1000) / 1000;
      report(frame, faces, where, tracked);
      if (!settings_.annotate_dir.empty()) {
        if (!writer.isOpened()) {
          const std::string path = annotated_path(input.path, ".avi");
          writer.open(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'),
                      fps > 0 ? fps / settings_.every : 10.0, frame.size());
          if (!writer.isOpened()) fail("{}: cannot write the annotated video", path);
        }
        writer.write(draw_predictions(frame, faces, tracked));
      }
    }
  }

  void report(const cv::Mat& image, const std::vector<FacePrediction>& faces,
              nlohmann::json line, const std::vector<TrackedFace>& tracked) {
    line["width"] = image.cols;
    line["height"] = image.rows;
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < faces.size(); ++i)
      list.push_back(to_json(faces[i], i < tracked.size() ? &tracked[i] : nullptr, settings_.json));
    line["faces"] = list;
    out_ << line.dump() << "\n";
    counts_.faces += faces.size();
    if (faces.empty()) {
      ++counts_.without_face;
      if (!settings_.quiet && !line.contains("frame"))
        std::cerr << "faceage predict: no face found in " << line["source"].get<std::string>() << "\n";
    }
  }

  void fail_input(const std::string& source, const std::string& message) {
    ++counts_.failed;
    out_ << nlohmann::json{{"source", source}, {"error", message}}.dump() << "\n";
    if (!settings_.quiet) std::cerr << "faceage predict: skipped: " << message << "\n";
  }

  // DIR/<file name>, made unique when two inputs share a name.
  std::string annotated_path(const std::string& source, const std::string& extension) {
    const fs::path name = fs::path(source).filename();
    std::string candidate = name.stem().string() + extension;
    for (int n = 2; !used_names_.insert(candidate).second; ++n)
      candidate = fmt::format("{}-{}{}", name.stem().string(), n, extension);
    return (fs::path(settings_.annotate_dir) / candidate).string();
  }

  const PredictSettings& settings_;
  AgePredictor predictor_;
  std::ostream& out_;
  Counts counts_;
  PredictTimings timings_;
  std::set<std::string> used_names_;
};

std::string summary_line(const Counts& c, const PredictTimings& t, double seconds) {
  const double stages = t.detect + t.align + t.model;
  const auto share = [&](double part) { return stages > 0 ? 100 * part / stages : 0.0; };
  const size_t pictures = c.images + c.frames;
  return fmt::format(
      "faceage predict: {} images, {} video frames, {} faces ({} pictures without a face), "
      "{} failed, {} skipped; {:.1f} s, {:.2f} pictures/s (detect {:.0f}%, align+crop {:.0f}%, "
      "model {:.0f}%)",
      c.images, c.frames, c.faces, c.without_face, c.failed, c.skipped, seconds,
      seconds > 0 ? pictures / seconds : 0.0, share(t.detect), share(t.align), share(t.model));
}

// Face crops may be the model's own training images (a UTKFace folder): their ages are
// not predictions on unseen faces. Only models that record their train split can tell.
void warn_about_training_images(const ModelSpec& model, const MediaListing& listing) {
  if (!model.training_fingerprint) return;
  std::vector<std::string> paths;
  for (const MediaInput& input : listing.inputs)
    if (input.kind == MediaKind::image) paths.push_back(input.path);
  const TrainingSetMatches matches = match_training_images(*model.training_fingerprint, paths);
  if (matches.found > 0)
    std::cerr << "faceage predict: warning: " << TrainingSetMatches::describe(matches.found, paths.size())
              << " were in this model's training set; its ages for them are not predictions on "
                 "unseen faces\n";
}

int run_predict(const PredictSettings& s) {
  const Clock::time_point start = Clock::now();
  const MediaListing listing = find_media(s.inputs);
  // Named before any work, so a long run shows at once what it will not look at.
  if (!s.quiet)
    for (const SkippedMedia& skip : listing.skipped)
      std::cerr << "faceage predict: skipped " << skip.path << ": " << skip.reason << "\n";
  // Nothing to look at is an error, not a quiet success (one line, exit code 1).
  if (listing.inputs.empty()) {
    if (listing.empty_arguments.size() == 1 && s.inputs.size() == 1)
      fail("{}: no photo or video found ({} other files skipped)", listing.empty_arguments[0],
           listing.skipped.size());
    fail("no photo or video found in {} ({} other files skipped)", fmt::join(s.inputs, ", "),
         listing.skipped.size());
  }
  std::ofstream file;
  if (!s.output.empty()) {
    file.open(s.output);
    if (!file) fail("{}: cannot open for writing", s.output);
  }
  PredictRun run(s, s.output.empty() ? std::cout : file);
  if (s.cropped) warn_about_training_images(run.model(), listing);
  run.run(listing);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!s.quiet) std::cerr << summary_line(run.counts(), run.timings(), seconds) << "\n";
  // 0: every input was read; 3: some could not be (the rest were done); 1: none could be.
  // Skipped folder entries were named and counted and do not change the code.
  const Counts& c = run.counts();
  if (c.failed == 0) return 0;
  return c.images + c.frames == 0 ? 1 : kPartialFailure;
}

const RegisterCommand kPredict{
    "predict", "Estimate the age of every face in photos, folders, videos or a camera",
    [](CLI::App& app) {
      auto s = std::make_shared<PredictSettings>();
      app.add_option("inputs", s->inputs,
                     "Images, folders (searched recursively), videos, or camera:N")
          ->required();
      add_predictor_options(app, s->predictor);
      app.add_option("--out,-o,--output", s->output, "Write the JSON lines to this file, not stdout");
      app.add_option("--annotate", s->annotate_dir,
                     "Folder for copies with boxes and ages drawn (videos as MJPEG .avi)");
      app.add_flag("--cropped", s->cropped,
                   "Inputs are face crops already (as the model's training images): no detection");
      app.add_flag("--distribution", s->json.age_distribution,
                   "Add each face's age_distribution: the probability of every age 0..100");
      app.add_option("--batch-images", s->batch_images, "Photos read and detected per model pass")
          ->check(CLI::Range(1, 1024));
      app.add_option("--batch-size", s->predictor.batch_size, "Faces per forward pass")
          ->check(CLI::Range(1, 4096));
      app.add_option("--every", s->every, "Video: predict every Nth frame")->check(CLI::Range(1, 100000));
      app.add_option("--max-frames", s->max_frames, "Video: stop after this many frames (0 = all)")
          ->check(CLI::NonNegativeNumber);
      app.add_flag("--quiet,-q", s->quiet, "No summary or skip messages on stderr");
      return std::function<int()>([s] { return run_predict(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
