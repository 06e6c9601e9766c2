// `faceage detect IMAGE... [--annotate DIR]`: faces, landmarks and the alignment of each
// photo; with --annotate, a PNG per photo for a person to look at (boxes, landmarks, the
// aligned crop).
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command.h"
#include "faceage/core/error.h"
#include "faceage/face/alignment.h"
#include "faceage/face/annotate.h"
#include "faceage/face/crop.h"
#include "faceage/face/detector.h"
#include "faceage/io/image.h"

namespace faceage::cli {
namespace {

namespace fs = std::filesystem;

nlohmann::json box_json(const FaceBox& box) { return {box.x1, box.y1, box.x2, box.y2}; }

nlohmann::json landmarks_json(const std::array<cv::Point2d, 5>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const cv::Point2d& p : points) out.push_back({p.x, p.y});
  return out;
}

struct DetectSettings {
  std::vector<std::string> images;
  std::string annotate_dir;
  std::string weights;
  std::string policy = "largest";
  double margin = 0.4;
  double min_face = 20;
  double turn = 0;
  int refine = 0;
  bool as_json = false;
};

int run_detect(const DetectSettings& s) {
  DetectorOptions detector_options;
  detector_options.min_face_size = s.min_face;
  AlignmentOptions alignment_options;
  alignment_options.policy = face_policy_from_name(s.policy);
  alignment_options.refine_passes = s.refine;
  const FaceDetector detector(s.weights, detector_options);
  if (!s.annotate_dir.empty()) fs::create_directories(s.annotate_dir);

  int failed = 0;
  for (const std::string& path : s.images) {
    cv::Mat image;
    try {
      image = read_image(path);
    } catch (const Error& e) {
      std::cerr << "faceage detect: skipped: " << e.what() << "\n";
      ++failed;
      continue;
    }
    if (s.turn != 0) image = rotate_expanded(image, s.turn);
    const std::vector<DetectedFace> faces = detect_faces(detector, image, alignment_options);
    const bool padded = !faces.empty() && faces.front().padded;
    const Alignment alignment = align_face(detector, image, alignment_options);

    if (s.as_json) {
      nlohmann::json record{{"image", path},
                            {"width", image.cols},
                            {"height", image.rows},
                            {"padded", padded},
                            {"faces", nlohmann::json::array()}};
      for (const DetectedFace& face : faces)
        record["faces"].push_back({{"box", box_json(face.box)},
                                   {"score", face.score},
                                   {"landmarks", landmarks_json(face.landmarks)}});
      if (alignment.face)
        record["alignment"] = {{"angle", alignment.face->angle},
                               {"box", box_json(alignment.face->face.box)},
                               {"score", alignment.face->face.score},
                               {"residual_angle", alignment.face->residual_angle},
                               {"landmarks", landmarks_json(alignment.face->face.landmarks)},
                               {"second_pass", alignment.face->second_pass}};
      std::cout << record.dump() << "\n";
    } else {
      std::cout << fmt::format("{}: {} face{}{}\n", path, faces.size(),
                               faces.size() == 1 ? "" : "s",
                               padded ? " (found after padding)" : "");
      for (const DetectedFace& face : faces) {
        const auto& l = face.landmarks;
        std::cout << fmt::format(
            "  box {:.1f} {:.1f} {:.1f} {:.1f}  score {:.4f}  eyes ({:.1f}, {:.1f}) ({:.1f}, "
            "{:.1f})"
            "  nose ({:.1f}, {:.1f})  mouth ({:.1f}, {:.1f}) ({:.1f}, {:.1f})\n",
            face.box.x1, face.box.y1, face.box.x2, face.box.y2, face.score, l[0].x, l[0].y, l[1].x,
            l[1].y, l[2].x, l[2].y, l[3].x, l[3].y, l[4].x, l[4].y);
      }
      if (alignment.face)
        std::cout << fmt::format(
            "  aligned: angle {:+.2f} deg, box {:.1f} {:.1f} {:.1f} {:.1f} in the rotated photo, "
            "eye line after rotation {:+.2f} deg{}\n",
            alignment.face->angle, alignment.face->face.box.x1, alignment.face->face.box.y1,
            alignment.face->face.box.x2, alignment.face->face.box.y2, alignment.face->residual_angle,
            alignment.face->second_pass ? "" : " (face not found again: first box carried over)");
      else if (alignment.faces_found > 1)
        std::cout << "  not aligned: several faces (policy skip)\n";
    }
    if (!s.annotate_dir.empty()) {
      const fs::path out = fs::path(s.annotate_dir) / (fs::path(path).stem().string() + ".png");
      write_image(out.string(), annotate_alignment(image, faces, alignment, s.margin));
    }
  }
  if (failed)
    std::cerr << fmt::format("faceage detect: {} of {} images unreadable\n", failed,
                             s.images.size());
  return failed ? 1 : 0;
}

const RegisterCommand kDetect{
    "detect", "Find faces and landmarks in photos; optionally write annotated PNGs",
    [](CLI::App& app) {
      auto s = std::make_shared<DetectSettings>();
      app.add_option("images", s->images, "Photos")->required();
      app.add_option("--annotate", s->annotate_dir,
                     "Write <DIR>/<photo>.png: boxes, landmarks and the aligned crop");
      app.add_option("--margin", s->margin, "Margin of the aligned crop in the PNG (paper §4.5)")
          ->check(CLI::Range(0.0, 5.0));
      app.add_option("--policy", s->policy,
                     "Face to align when there are several: largest, central, skip");
      app.add_option("--min-face", s->min_face, "Smallest face searched for, in pixels")
          ->check(CLI::PositiveNumber);
      app.add_option("--turn", s->turn,
                     "Rotate each photo by this many degrees first "
                     "(counter-clockwise), to try alignment on tilted faces");
      app.add_option("--refine", s->refine,
                     "Further alignment passes while the eye line is still tilted (paper: 0)");
      app.add_option("--detector-weights,--weights", s->weights,
                     "MTCNN weights (default: models/mtcnn.safetensors)");
      app.add_flag("--json", s->as_json, "Print one JSON object per photo");
      return std::function<int()>([s] { return run_detect(*s); });
    }};

}  // namespace
}  // namespace faceage::cli
