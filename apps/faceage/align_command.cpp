// `faceage align DATASET --out rows.csv`: detect and align every face of a raw dataset
// once (paper §4.3) and keep angle and box per photo, so training crops without
// detecting again. Resumable; photos without a face are counted and listed, not fatal.
#include <algorithm>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "command.h"
#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/data/dataset.h"
#include "faceage/data/dataset_alignment.h"
#include "faceage/learn/progress.h"

namespace faceage::cli {
namespace {

struct AlignSettings {
  std::string dataset, output, format = "auto", split = "train", weights;
  std::string policy = "largest", pad_border = "reflect", second_pass = "detect";
  double min_face = 20, pad = 0.25;
  int jobs = 1, refine = 0;
  bool retry_skipped = false, quiet = false, as_json = false;
};

int run_align(const AlignSettings& s) {
  ReadOptions read_options;
  read_options.on_malformed = MalformedPolicy::skip;  // a bad name is reported, not fatal
  const ReadResult dataset =
      read_dataset({s.dataset, dataset_format_from_name(s.format), s.split}, read_options);
  std::cerr << dataset.report.summary() << "\n";

  DetectorOptions detector_options;
  detector_options.min_face_size = s.min_face;
  const FaceDetector detector(s.weights, detector_options);

  DatasetAlignmentOptions options;
  options.alignment.policy = face_policy_from_name(s.policy);
  options.alignment.pad_ratio = s.pad;
  options.alignment.pad_border = pad_border_from_name(s.pad_border);
  options.alignment.refine_passes = s.refine;
  options.alignment.second_pass = second_pass_from_name(s.second_pass);
  options.jobs = s.jobs;
  options.retry_skipped = s.retry_skipped;
  // Several photos at once, each on one core: LibTorch's own threads would compete.
  use_compute_threads(s.jobs > 1 ? 1 : 0);

  std::unique_ptr<ProgressBar> bar;
  options.on_progress = [&](const DatasetAlignmentProgress& p) {
    if (s.quiet) return;
    if (!bar) bar = std::make_unique<ProgressBar>("align", static_cast<int64_t>(p.total));
    bar->update(static_cast<int64_t>(p.done), fmt::format("aligned {}", p.aligned));
  };
  options.on_skip = [&](const std::string& /*photo*/, const std::string& reason,
                        const std::string& message) {
    if (!s.quiet && reason != "no_face" && reason != "several_faces")
      std::cerr << "\nfaceage align: skipped: " << message << "\n";  // the message names the photo
  };

  const DatasetAlignmentSummary sum = align_samples(dataset.samples, detector, s.output, options);
  if (bar) bar->finish();

  const size_t attempted = sum.images - sum.already_done;
  // Every photo without a face is named (stderr), not only counted, also with --quiet.
  if (!sum.no_face_photos.empty()) {
    std::cerr << fmt::format("faceage align: no face found in {} photos:\n", sum.no_face);
    for (const std::string& photo : sum.no_face_photos) std::cerr << "  " << photo << "\n";
  }
  if (s.as_json) {
    std::cout << nlohmann::json{{"images", sum.images},
                                {"already_done", sum.already_done},
                                {"aligned", sum.aligned},
                                {"no_face", sum.no_face},
                                {"no_face_photos", sum.no_face_photos},
                                {"several_faces", sum.several_faces},
                                {"unreadable", sum.unreadable},
                                {"failed", sum.failed},
                                {"padded", sum.padded},
                                {"one_pass", sum.one_pass},
                                {"malformed_names", dataset.report.rows_skipped},
                                {"policy", s.policy},
                                {"seconds", sum.seconds},
                                {"rows", s.output},
                                {"skipped", skipped_rows_path(s.output)}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format(
        "images {}: already done {}, aligned {} ({:.1f}% of {} tried), no face {}, several faces "
        "{} (policy {}), unreadable {}{}\n"
        "  found only after padding {}, not found again after rotation {}; {:.1f} s, {:.1f} "
        "images/s\n  rows: {}\n  skipped: {}\n",
        sum.images, sum.already_done, sum.aligned,
        attempted ? 100.0 * sum.aligned / attempted : 0.0, attempted, sum.no_face,
        sum.several_faces, s.policy, sum.unreadable,
        sum.failed ? fmt::format(", errors {}", sum.failed) : std::string(), sum.padded,
        sum.one_pass, sum.seconds, sum.seconds > 0 ? attempted / sum.seconds : 0.0, s.output,
        skipped_rows_path(s.output));
  }
  return 0;
}

const RegisterCommand kAlign{
    "align", "Detect and align the faces of a dataset once; write angle and box per photo",
    [](CLI::App& app) {
      auto s = std::make_shared<AlignSettings>();
      app.add_option("dataset", s->dataset,
                     "Dataset: a CSV with photo,age columns, a folder holding one as labels.csv, "
                     "or a folder of UTKFace, FG-NET or MORPH names, or MegaAge")
          ->required()
          ->check(CLI::ExistingPath);
      app.add_option("--out,-o,--output", s->output,
                     "Rows CSV (photo, age, gender, race, subject, deg, box1..box4, score, faces)")
          ->required();
      app.add_option("--format", s->format, "auto, csv, utkface, megaage, morph, fgnet");
      app.add_option("--split", s->split, "MegaAge's split: train or test");
      app.add_option("--policy", s->policy,
                     "Several faces: largest, central (nearest the centre) or skip");
      app.add_option("--jobs,-j", s->jobs, "Photos aligned at once")->check(CLI::Range(1, 256));
      app.add_option("--min-face", s->min_face, "Smallest face searched for, in pixels")
          ->check(CLI::PositiveNumber);
      app.add_option("--pad", s->pad,
                     "When no face is found, pad by this ratio of the photo and search again "
                     "(tight crops such as UTKFace); 0: never")
          ->check(CLI::Range(0.0, 2.0));
      app.add_option(
          "--pad-border", s->pad_border,
          "Padding: reflect (mirror the photo), replicate (edge pixels), constant (black)");
      app.add_option("--refine", s->refine,
                     "Further passes while the eyes are still tilted after rotating (paper: 0)")
          ->check(CLI::Range(0, 5));
      app.add_option("--second-pass", s->second_pass,
                     "Finding the face again after rotating: detect (MTCNN's whole search, the "
                     "paper) or refine (O-Net on the rotated first box, 2-3x faster)")
          ->check(CLI::IsMember({"detect", "refine"}));
      app.add_flag("--retry-skipped", s->retry_skipped,
                   "Try the photos of the skipped list again instead of skipping them");
      app.add_option("--detector-weights,--weights", s->weights,
                     "MTCNN weights (default: models/mtcnn.safetensors)");
      app.add_flag("--quiet,-q", s->quiet, "No progress bar");
      app.add_flag("--json", s->as_json, "Print the summary as one JSON line");
      return std::function<int()>([s] { return run_align(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
