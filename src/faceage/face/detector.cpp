#include "faceage/face/detector.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <type_traits>
#include <utility>

#include <ATen/Parallel.h>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "faceage/core/error.h"
#include "faceage/face/area_resize.h"
#include "faceage/face/mtcnn_chain.h"
#include "faceage/face/mtcnn_nets.h"

namespace faceage {
namespace {

// The numbers of facenet's detect_face (align/detect_face.py), which all MTCNN ports share.
constexpr double kPixelScale = 0.0078125;  // input = (pixel - 127.5) * kPixelScale
constexpr double kPixelMean = 127.5;
constexpr int kCellSize = 12;  // P-Net window
constexpr int kCellStride = 2;
constexpr double kNmsPerScale = 0.5;
constexpr double kNmsProposals = 0.7;
constexpr double kNmsRefined = 0.7;
constexpr double kNmsOutput = 0.7;  // in "min" mode: overlap / smaller area
constexpr int kRNetSize = 24;
constexpr int kONetSize = 48;

// A candidate box in facenet's convention (x1..x2, y1..y2 inclusive pixel numbers, 1-based)
// with its score, the regression the network proposed for it, and the image it is in.
struct Candidate {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  double score = 0;
  std::array<double, 4> offsets{};
  std::array<double, 10> points{};
  size_t image = 0;
};

enum class Overlap { kUnion, kMin };

// The candidate's pixels as a FaceBox (pixel-edge coordinates): inclusive pixel numbers
// x1..x2 cover the edges x1 - 1 .. x2, so facenet's "+ 1" areas are FaceBox areas.
FaceBox pixel_edges(const Candidate& c) { return {c.x1 - 1, c.y1 - 1, c.x2, c.y2}; }

// Greedy non-maximum suppression; returns the kept candidates, highest score first.
std::vector<Candidate> nms(std::vector<Candidate> boxes, double threshold, Overlap mode) {
  std::vector<size_t> order(boxes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return boxes[a].score > boxes[b].score; });
  std::vector<FaceBox> edges(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) edges[i] = pixel_edges(boxes[i]);
  std::vector<bool> suppressed(boxes.size(), false);
  std::vector<Candidate> kept;
  for (size_t oi = 0; oi < order.size(); ++oi) {
    const size_t i = order[oi];
    if (suppressed[i]) continue;
    kept.push_back(boxes[i]);
    for (size_t oj = oi + 1; oj < order.size(); ++oj) {
      const size_t j = order[oj];
      if (suppressed[j]) continue;
      const double overlap =
          mode == Overlap::kMin
              ? intersection_area(edges[i], edges[j]) / std::min(edges[i].area(), edges[j].area())
              : intersection_over_union(edges[i], edges[j]);
      if (overlap > threshold) suppressed[j] = true;
    }
  }
  return kept;
}

// facenet's rerec: the square around the box's centre with the longer side.
void make_square(Candidate& c) {
  const double w = c.x2 - c.x1, h = c.y2 - c.y1, side = std::max(w, h);
  c.x1 += w * 0.5 - side * 0.5;
  c.y1 += h * 0.5 - side * 0.5;
  c.x2 = c.x1 + side;
  c.y2 = c.y1 + side;
}

// facenet's bbreg: offsets are fractions of the inclusive box size.
void apply_offsets(Candidate& c) {
  const double w = c.x2 - c.x1 + 1, h = c.y2 - c.y1 + 1;
  c.x1 += c.offsets[0] * w;
  c.y1 += c.offsets[1] * h;
  c.x2 += c.offsets[2] * w;
  c.y2 += c.offsets[3] * h;
}

void truncate(Candidate& c) {  // np.fix
  c.x1 = std::trunc(c.x1);
  c.y1 = std::trunc(c.y1);
  c.x2 = std::trunc(c.x2);
  c.y2 = std::trunc(c.y2);
}

void normalise_into(const cv::Mat& rgb, cv::Mat& out) {
  rgb.convertTo(out, CV_32FC3, kPixelScale, -kPixelMean * kPixelScale);
}

// The image in the two forms the stages use: 8-bit RGB, which facenet resizes for the
// P-Net pyramid, and RGB normalised to (x - 127.5) / 128, which it crops for R/O-Net.
struct PreparedImage {
  cv::Mat rgb;
  cv::Mat normalised;
};

PreparedImage prepare(const cv::Mat& bgr) {
  if (bgr.empty()) fail("FaceDetector::detect: the image is empty");
  if (bgr.type() != CV_8UC3)
    fail("FaceDetector::detect: expected an 8-bit 3-channel BGR image, got OpenCV type {}",
         bgr.type());
  PreparedImage out;
  cv::cvtColor(bgr, out.rgb, cv::COLOR_BGR2RGB);
  normalise_into(out.rgb, out.normalised);
  return out;
}

// An NHWC float tensor whose slices OpenCV writes into, seen as NCHW: a channels-last
// tensor, the memory format the networks run in.
torch::Tensor nchw_view(const torch::Tensor& nhwc) { return nhwc.permute({0, 3, 1, 2}); }

cv::Mat slice_as_mat(const torch::Tensor& nhwc, int64_t index) {
  return cv::Mat(static_cast<int>(nhwc.size(1)), static_cast<int>(nhwc.size(2)), CV_32FC3,
                 nhwc[index].data_ptr<float>());
}

// Rows for `crops` R/O-Net crops under LibTorch's modules: 1, 2, 4, 8, then multiples of 8.
int64_t padded_batch(size_t crops) {
  const auto n = static_cast<int64_t>(crops);
  if (n > 8) return (n + 7) / 8 * 8;
  int64_t rows = 1;
  while (rows < n) rows *= 2;
  return rows;
}

// INTER_AREA resize: area_resize.h's, or OpenCV's with `opencv`.
void resize_area(const cv::Mat& source, cv::Mat& destination, cv::Size size, bool opencv) {
  if (opencv)
    cv::resize(source, destination, size, 0, 0, cv::INTER_AREA);
  else
    area_downscale(source, destination, size);
}

// Whether the (truncated) box covers at least one pixel.
bool has_pixels(const Candidate& c) {
  return static_cast<int>(c.x2) >= static_cast<int>(c.x1) &&
         static_cast<int>(c.y2) >= static_cast<int>(c.y1);
}

// The box's pixels resized to size x size; pixels outside the image are black (as in
// facenet, which pads with zeros before normalising). The box must have pixels.
void crop_resized(const cv::Mat& image, const Candidate& c, cv::Mat destination, bool opencv) {
  const int x1 = static_cast<int>(c.x1), y1 = static_cast<int>(c.y1);
  const int width = static_cast<int>(c.x2) - x1 + 1, height = static_cast<int>(c.y2) - y1 + 1;
  const cv::Rect wanted(x1 - 1, y1 - 1, width, height);  // 1-based inclusive -> 0-based
  const cv::Rect inside = wanted & cv::Rect(0, 0, image.cols, image.rows);
  if (inside == wanted) {
    resize_area(image(wanted), destination, destination.size(), opencv);
    return;
  }
  const float black = static_cast<float>(-kPixelMean * kPixelScale);
  cv::Mat padded(height, width, CV_32FC3, cv::Scalar::all(black));
  if (inside.area() > 0)
    image(inside).copyTo(
        padded(cv::Rect(inside.x - wanted.x, inside.y - wanted.y, inside.width, inside.height)));
  resize_area(padded, destination, destination.size(), opencv);
}

}  // namespace

struct FaceDetector::Impl {
  DetectorOptions options;
  std::string weights_path;
  // forward() does not change the networks; mutable so that detect() can be const.
  mutable MtcnnNets nets;
  std::unique_ptr<MtcnnChains> chains;  // the same networks fused, when the build has them

  PNetOutput pnet(const torch::Tensor& images) const {
    return chains ? chains->pnet(images) : nets.pnet->forward(images);
  }
  RNetOutput rnet(const torch::Tensor& crops) const {
    return chains ? chains->rnet(crops) : nets.rnet->forward(crops);
  }
  ONetOutput onet(const torch::Tensor& crops) const {
    return chains ? chains->onet(crops) : nets.onet->forward(crops);
  }
  auto rnet_forward() const {
    return [this](const torch::Tensor& crops) { return rnet(crops); };
  }
  auto onet_forward() const {
    return [this](const torch::Tensor& crops) { return onet(crops); };
  }

  // Stage 1: P-Net over the image pyramid of a group of equal-sized images.
  void propose(const std::vector<PreparedImage>& images, const std::vector<size_t>& group,
               std::vector<std::vector<Candidate>>& proposals) const {
    const int height = images[group[0]].rgb.rows, width = images[group[0]].rgb.cols;
    const double m = kCellSize / options.min_face_size;
    double min_side = std::min(height, width) * m;
    std::vector<double> scales;
    for (int k = 0; min_side >= kCellSize; ++k, min_side *= options.scale_factor)
      scales.push_back(m * std::pow(options.scale_factor, k));

    const int64_t n = static_cast<int64_t>(group.size());
    // Each level is resized from the previous one unless the options say otherwise:
    // OpenCV's area resize costs in proportion to its input, and the full image for every
    // level was most of the detection time for large images.
    std::vector<cv::Mat> previous(static_cast<size_t>(n));
    for (double scale : scales) {
      const int hs = static_cast<int>(std::ceil(height * scale));
      const int ws = static_cast<int>(std::ceil(width * scale));
      torch::Tensor batch = torch::empty({n, hs, ws, 3}, torch::kFloat32);
      std::vector<cv::Mat> resized(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        cv::Mat level = slice_as_mat(batch, i);
        const cv::Mat& source = options.pyramid_from_original || previous[i].empty()
                                    ? images[group[i]].rgb
                                    : previous[i];
        resize_area(source, resized[i], level.size(), !options.separable_resize);
        normalise_into(resized[i], level);
      }
      previous.swap(resized);
      const PNetOutput out = pnet(nchw_view(batch));
      const torch::Tensor probability = torch::softmax(out.logits, 1).select(1, 1).contiguous();
      const torch::Tensor offsets = out.offsets.contiguous();
      const int64_t rows = probability.size(1), cols = probability.size(2);
      const float* p = probability.data_ptr<float>();
      const float* o = offsets.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) {
        std::vector<Candidate> found;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t col = 0; col < cols; ++col) {
            const float score = p[(i * rows + r) * cols + col];
            if (score < options.thresholds[0]) continue;
            Candidate c;
            c.x1 = std::trunc((kCellStride * col + 1) / scale);
            c.y1 = std::trunc((kCellStride * r + 1) / scale);
            c.x2 = std::trunc((kCellStride * col + kCellSize) / scale);
            c.y2 = std::trunc((kCellStride * r + kCellSize) / scale);
            c.score = score;
            for (int k = 0; k < 4; ++k) c.offsets[k] = o[((i * 4 + k) * rows + r) * cols + col];
            c.image = group[i];
            found.push_back(c);
          }
        for (const Candidate& c : nms(std::move(found), kNmsPerScale, Overlap::kUnion))
          proposals[group[i]].push_back(c);
      }
    }
  }

  // Runs R-Net or O-Net over crops of the candidates, in chunks; fills score, offsets and
  // (O-Net) points; drops candidates whose box is empty.
  template <typename Forward>
  std::vector<Candidate> refine(const std::vector<PreparedImage>& images, std::vector<Candidate> in,
                                Forward forward, int size) const {
    std::vector<Candidate> out;
    const size_t chunk = static_cast<size_t>(std::max(1, options.max_crops_per_batch));
    for (size_t start = 0; start < in.size(); start += chunk) {
      const size_t end = std::min(in.size(), start + chunk);
      std::vector<Candidate> valid;
      for (size_t i = start; i < end; ++i)
        if (has_pixels(in[i])) valid.push_back(in[i]);
      if (valid.empty()) continue;
      // For LibTorch's modules, rows rounded up (1, 2, 4, 8, then multiples of 8), zeros past
      // the crops: oneDNN compiles a kernel per batch size, and every photo brings its own
      // number of candidates. The fused chains run any batch in power-of-two pieces.
      torch::Tensor batch =
          chains ? torch::empty({static_cast<int64_t>(valid.size()), size, size, 3})
                 : torch::zeros({padded_batch(valid.size()), size, size, 3});
      // The crops are a fifth of detection's time and independent: every thread takes some.
      at::parallel_for(0, static_cast<int64_t>(valid.size()), 4, [&](int64_t begin, int64_t stop) {
        for (int64_t i = begin; i < stop; ++i)
          crop_resized(images[valid[i].image].normalised, valid[i], slice_as_mat(batch, i),
                       !options.separable_resize);
      });
      const auto result = forward(nchw_view(batch));
      const torch::Tensor probability = torch::softmax(result.logits, 1).select(1, 1).contiguous();
      const torch::Tensor offsets = result.offsets.contiguous();
      const float* p = probability.data_ptr<float>();
      const float* o = offsets.data_ptr<float>();
      const float* points = nullptr;
      torch::Tensor landmarks;
      if constexpr (std::is_same_v<decltype(result), const ONetOutput>) {
        landmarks = result.landmarks.contiguous();
        points = landmarks.data_ptr<float>();
      }
      for (size_t i = 0; i < valid.size(); ++i) {
        Candidate c = valid[i];
        c.score = p[i];
        for (int k = 0; k < 4; ++k) c.offsets[k] = o[i * 4 + k];
        if (points)
          for (int k = 0; k < 10; ++k) c.points[k] = points[i * 10 + k];
        out.push_back(c);
      }
    }
    return out;
  }

  std::vector<std::vector<DetectedFace>> detect(const std::vector<cv::Mat>& originals) const {
    c10::InferenceMode inference;
    std::vector<PreparedImage> images;
    images.reserve(originals.size());
    for (const cv::Mat& image : originals) images.push_back(prepare(image));

    // Stage 1: proposals, images grouped by size so that one P-Net call serves a group.
    std::map<std::pair<int, int>, std::vector<size_t>> groups;
    for (size_t i = 0; i < images.size(); ++i)
      groups[{images[i].rgb.rows, images[i].rgb.cols}].push_back(i);
    std::vector<std::vector<Candidate>> proposals(images.size());
    for (const auto& [size, group] : groups) propose(images, group, proposals);

    std::vector<Candidate> candidates;
    for (std::vector<Candidate>& per_image : proposals) {
      for (Candidate c : nms(std::move(per_image), kNmsProposals, Overlap::kUnion)) {
        const double w = c.x2 - c.x1, h = c.y2 - c.y1;  // facenet: no +1 at this stage
        c.x1 += c.offsets[0] * w;
        c.y1 += c.offsets[1] * h;
        c.x2 += c.offsets[2] * w;
        c.y2 += c.offsets[3] * h;
        make_square(c);
        truncate(c);
        candidates.push_back(c);
      }
    }

    // Stage 2: R-Net.
    std::vector<std::vector<Candidate>> per_image(images.size());
    for (const Candidate& c : refine(images, std::move(candidates), rnet_forward(), kRNetSize))
      if (c.score > options.thresholds[1]) per_image[c.image].push_back(c);
    candidates.clear();
    for (std::vector<Candidate>& list : per_image) {
      for (Candidate c : nms(std::move(list), kNmsRefined, Overlap::kUnion)) {
        apply_offsets(c);
        make_square(c);
        truncate(c);
        candidates.push_back(c);
      }
      list.clear();
    }

    // Stage 3: O-Net.
    for (Candidate c : refine(images, std::move(candidates), onet_forward(), kONetSize))
      if (finish_output(c)) per_image[c.image].push_back(c);

    std::vector<std::vector<DetectedFace>> faces(images.size());
    for (size_t i = 0; i < images.size(); ++i)
      for (const Candidate& c : nms(std::move(per_image[i]), kNmsOutput, Overlap::kMin))
        faces[i].push_back(detected_face(c));
    return faces;
  }

  // O-Net's verdict on a candidate it saw: false when rejected; otherwise the landmarks,
  // given relative to the box O-Net saw, become pixels, and the box takes its regression.
  bool finish_output(Candidate& c) const {
    if (c.score <= options.thresholds[2]) return false;
    const double w = c.x2 - c.x1 + 1, h = c.y2 - c.y1 + 1;
    for (int k = 0; k < 5; ++k) {
      c.points[k] = w * c.points[k] + c.x1 - 1;
      c.points[5 + k] = h * c.points[5 + k] + c.y1 - 1;
    }
    apply_offsets(c);
    return true;
  }

  std::vector<std::optional<DetectedFace>> refine_known(const cv::Mat& image,
                                                        const std::vector<FaceBox>& boxes) const {
    c10::InferenceMode inference;
    // refine() finds a candidate's pixels by its image index: one entry per box, all
    // sharing the one image's pixels, so that the index also says which box it was.
    const std::vector<PreparedImage> per_box(boxes.size(), prepare(image));
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < boxes.size(); ++i) {
      Candidate c;
      c.x1 = boxes[i].x1 + 1, c.y1 = boxes[i].y1 + 1, c.x2 = boxes[i].x2, c.y2 = boxes[i].y2;
      make_square(c);
      truncate(c);
      c.image = i;
      candidates.push_back(c);
    }
    std::vector<std::optional<DetectedFace>> faces(boxes.size());
    for (Candidate c : refine(per_box, std::move(candidates), onet_forward(), kONetSize))
      if (finish_output(c)) faces[c.image] = detected_face(c);
    return faces;
  }

  static DetectedFace detected_face(const Candidate& c) {
    DetectedFace face;
    // facenet's box covers pixels x1..x2 counted from 1; FaceBox edges are pixel
    // boundaries counted from 0 (pixel i spans [i, i + 1)), as crop.h reads them.
    face.box = pixel_edges(c);
    face.score = c.score;
    for (int k = 0; k < 5; ++k) face.landmarks[k] = {c.points[k], c.points[5 + k]};
    return face;
  }
};

FaceDetector::FaceDetector(const std::string& weights_path, DetectorOptions options)
    : impl_(std::make_shared<Impl>()) {
  if (!(options.min_face_size > 0))
    fail("FaceDetector: min_face_size must be positive, got {}", options.min_face_size);
  if (!(options.scale_factor > 0 && options.scale_factor < 1))
    fail("FaceDetector: scale_factor must be in (0, 1), got {}", options.scale_factor);
  if (options.max_pixels < 0)
    fail("FaceDetector: max_pixels must be >= 0 (0: no limit), got {}", options.max_pixels);
  impl_->options = options;
  impl_->weights_path = find_mtcnn_weights(weights_path);
  impl_->nets = load_mtcnn_nets(impl_->weights_path);
  if (impl_->options.fused_networks && MtcnnChains::available())
    impl_->chains = std::make_unique<MtcnnChains>(impl_->nets);
}

std::vector<DetectedFace> FaceDetector::detect(const cv::Mat& image) const {
  return detect(std::vector<cv::Mat>{image})[0];
}

namespace {

// An image searched on a copy of at most `limit` pixels (DetectorOptions::max_pixels): the
// copy, and the way back to the image's coordinates.
struct SearchedCopy {
  cv::Mat pixels;      // the image itself when it is within the limit
  double sx = 1, sy = 1;  // image pixels per copy pixel

  SearchedCopy(const cv::Mat& image, int64_t limit, double pyramid_step) : pixels(image) {
    const int64_t area = static_cast<int64_t>(image.cols) * image.rows;
    if (limit <= 0 || area <= limit || image.empty()) return;
    // A power of the pyramid's step: the copy's pyramid is then the image's own from that
    // level on, so the faces found there are those the whole image gives.
    const double needed = std::sqrt(static_cast<double>(limit) / static_cast<double>(area));
    const double scale =
        std::pow(pyramid_step, std::ceil(std::log(needed) / std::log(pyramid_step) - 1e-9));
    const cv::Size size(std::max(1, static_cast<int>(image.cols * scale)),
                        std::max(1, static_cast<int>(image.rows * scale)));
    cv::resize(image, pixels, size, 0, 0, cv::INTER_AREA);
    sx = static_cast<double>(image.cols) / size.width;
    sy = static_cast<double>(image.rows) / size.height;
  }

  FaceBox to_copy(const FaceBox& box) const {
    return {box.x1 / sx, box.y1 / sy, box.x2 / sx, box.y2 / sy};
  }
  // Box edges scale as they are; landmarks are pixel-centre coordinates (half a pixel in).
  void to_image(DetectedFace& face) const {
    face.box = {face.box.x1 * sx, face.box.y1 * sy, face.box.x2 * sx, face.box.y2 * sy};
    for (cv::Point2d& point : face.landmarks)
      point = {(point.x + 0.5) * sx - 0.5, (point.y + 0.5) * sy - 0.5};
  }
};

}  // namespace

std::vector<std::vector<DetectedFace>> FaceDetector::detect(
    const std::vector<cv::Mat>& images) const {
  std::vector<SearchedCopy> copies;
  std::vector<cv::Mat> searched;
  for (const cv::Mat& image : images) {
    copies.emplace_back(image, impl_->options.max_pixels, impl_->options.scale_factor);
    searched.push_back(copies.back().pixels);
  }
  std::vector<std::vector<DetectedFace>> faces = impl_->detect(searched);
  for (size_t i = 0; i < images.size(); ++i)
    for (DetectedFace& face : faces[i]) copies[i].to_image(face);
  return faces;
}

std::vector<std::optional<DetectedFace>> FaceDetector::refine(
    const cv::Mat& image, const std::vector<FaceBox>& boxes) const {
  // O-Net sees 48 x 48 pixels of each box: a bounded copy of a large image serves as well.
  const SearchedCopy copy(image, impl_->options.max_pixels, impl_->options.scale_factor);
  std::vector<FaceBox> in_copy;
  for (const FaceBox& box : boxes) in_copy.push_back(copy.to_copy(box));
  std::vector<std::optional<DetectedFace>> faces = impl_->refine_known(copy.pixels, in_copy);
  for (std::optional<DetectedFace>& face : faces)
    if (face) copy.to_image(*face);
  return faces;
}

const DetectorOptions& FaceDetector::options() const { return impl_->options; }
const std::string& FaceDetector::weights_path() const { return impl_->weights_path; }

}  // namespace faceage
