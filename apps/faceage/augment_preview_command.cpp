// `faceage augment-preview`: a grid of training samples as the loader augments them
// (paper §4.5), to check the augmentation ranges by eye before a long run.
#include <cmath>
#include <fstream>
#include <iostream>

#include <opencv2/imgproc.hpp>

#include "command.h"
#include "faceage/core/error.h"
#include "faceage/data/dataset.h"
#include "faceage/data/loader.h"
#include "faceage/data/seeded_random.h"
#include "faceage/io/image.h"

namespace faceage::cli {
namespace {

struct PreviewArguments {
  std::string data;
  std::string format = "auto";
  std::string out;
  size_t count = 16;
  uint64_t seed = 0;
  int size = 112;
  double margin = 0.0;
  std::string augmentation_file;
  double probability = -1;  // < 0: keep the configured probabilities
  bool originals = false;
};

constexpr int kCaptionHeight = 24;  // two lines of small text

int text_width(const std::string& text, double scale) {
  int baseline = 0;
  return cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline).width;
}

// The caption's words on at most two lines that fit `width`, shrinking the text if needed.
std::vector<std::string> wrap_caption(const std::string& caption, int width, double& scale) {
  std::vector<std::string> words;
  for (size_t start = 0, end; start < caption.size(); start = end + 1) {
    end = caption.find(' ', start);
    if (end == std::string::npos) end = caption.size();
    words.push_back(caption.substr(start, end - start));
  }
  while (true) {
    std::vector<std::string> lines(1);
    for (const std::string& word : words) {
      const std::string longer = lines.back().empty() ? word : lines.back() + " " + word;
      if (!lines.back().empty() && text_width(longer, scale) > width) lines.push_back(word);
      else lines.back() = longer;
    }
    bool fits = lines.size() <= 2;
    for (const std::string& line : lines) fits = fits && text_width(line, scale) <= width;
    if (fits || scale < 0.2) return lines;
    scale *= 0.9;
  }
}

// The face with what was applied written underneath.
cv::Mat captioned(const cv::Mat& face, const std::string& caption) {
  cv::Mat cell(face.rows + kCaptionHeight, face.cols, CV_8UC3, cv::Scalar::all(255));
  face.copyTo(cell(cv::Rect(0, 0, face.cols, face.rows)));
  double scale = 0.32;
  const std::vector<std::string> lines = wrap_caption(caption, face.cols - 4, scale);
  for (size_t i = 0; i < lines.size() && i < 2; ++i)
    cv::putText(cell, lines[i], {2, face.rows + 10 + static_cast<int>(i) * 11},
                cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(0), 1, cv::LINE_AA);
  return cell;
}

cv::Mat grid_of(const std::vector<cv::Mat>& cells, size_t columns) {
  const int width = cells.front().cols, height = cells.front().rows;
  const size_t rows = (cells.size() + columns - 1) / columns;
  cv::Mat grid(static_cast<int>(rows) * height, static_cast<int>(columns) * width, CV_8UC3,
               cv::Scalar::all(255));
  for (size_t i = 0; i < cells.size(); ++i)
    cells[i].copyTo(grid(cv::Rect(static_cast<int>(i % columns) * width,
                                  static_cast<int>(i / columns) * height, width, height)));
  return grid;
}

int run_preview(const PreviewArguments& args) {
  ReadOptions read_options;
  read_options.on_malformed = MalformedPolicy::skip;
  const ReadResult dataset =
      read_dataset({args.data, dataset_format_from_name(args.format), "train"}, read_options);
  std::cerr << dataset.report.summary() << "\n";
  if (dataset.samples.empty()) fail("{}: no samples to preview", args.data);

  LoaderOptions options;
  options.seed = args.seed;
  options.augment = true;
  options.preprocessing.input_size = args.size;
  options.preprocessing.margin = args.margin;
  check_preprocessing(options.preprocessing);
  if (!args.augmentation_file.empty()) {
    std::ifstream in(args.augmentation_file);
    if (!in) fail("{}: cannot open the augmentation JSON file", args.augmentation_file);
    try {
      options.augmentation = augmentation_from_json(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
      fail("{}: not valid JSON ({})", args.augmentation_file, e.what());
    }
  }
  if (args.probability >= 0) {
    AugmentationOptions& a = options.augmentation;
    a.flip_probability = a.hsv_probability = a.gamma_probability =
        a.brightness_contrast_probability = args.probability;
  }
  check_augmentation(options.augmentation);
  LoaderOptions plain = options;
  plain.augment = false;

  // A seeded random choice of samples; a bad image is reported and the next one taken.
  const std::vector<size_t> order = epoch_order(dataset.samples.size(), args.seed, 0, true);
  std::vector<cv::Mat> cells;
  size_t shown = 0, skipped = 0;
  for (size_t k = 0; k < order.size() && shown < args.count; ++k) {
    const size_t index = order[k];
    const Sample& sample = dataset.samples[index];
    try {
      const AugmentationChoice choice =
          choose_augmentations(options.augmentation, sample_seed(args.seed, 0, index));
      if (args.originals) cells.push_back(captioned(load_face(sample, plain, 0, index), "original"));
      cells.push_back(captioned(load_face(sample, options, 0, index), choice.describe()));
      ++shown;
    } catch (const Error& e) {
      std::cerr << "skipped: " << e.what() << "\n";
      ++skipped;
    }
  }
  if (cells.empty()) fail("{}: none of the chosen images could be read", args.data);
  const size_t per_sample = args.originals ? 2 : 1;
  const size_t columns = per_sample * static_cast<size_t>(std::ceil(std::sqrt(double(shown))));
  write_image(args.out, grid_of(cells, columns));
  std::cout << "wrote " << args.out << ": " << shown << " augmented samples"
            << (skipped ? ", " + std::to_string(skipped) + " bad images skipped" : "") << "\n";
  return 0;
}

const RegisterCommand kAugmentPreview{
    "augment-preview", "Write a PNG grid of augmented training samples", [](CLI::App& app) {
      auto args = std::make_shared<PreviewArguments>();
      app.add_option("--data", args->data, "Dataset folder or CSV")->required();
      app.add_option("--format", args->format, "auto, csv, utkface, fgnet, morph, megaage")
          ->capture_default_str();
      app.add_option("--out,-o,--output", args->out, "The PNG to write")->required();
      app.add_option("--count", args->count, "Samples in the grid")->check(CLI::Range(1, 400))
          ->capture_default_str();
      app.add_option("--seed", args->seed, "Which samples and which augmentations")
          ->capture_default_str();
      app.add_option("--size", args->size, "Face size in pixels")->check(CLI::Range(16, 1024))
          ->capture_default_str();
      app.add_option("--margin", args->margin, "Crop margin ratio for aligned datasets")
          ->check(CLI::Range(0.0, 2.0))->capture_default_str();
      app.add_option("--augmentation", args->augmentation_file,
                     "JSON with augmentation ranges (fields as in configs' [augment])");
      app.add_option("--probability", args->probability,
                     "Use this probability for every augmentation (1: always)")
          ->check(CLI::Range(0.0, 1.0));
      app.add_flag("--originals", args->originals, "Show each face unaugmented beside it");
      return std::function<int()>([args] { return run_preview(*args); });
    }};

}  // namespace
}  // namespace faceage::cli
