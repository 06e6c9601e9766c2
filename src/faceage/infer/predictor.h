#pragma once
// AgePredictor: the whole prediction pipeline for photos: detect every face (MTCNN),
// level the eyes (two passes, paper §4.3), crop the face exactly as the model's training
// crops were made (the preprocessing the model file carries), and run the age network on
// all faces together in batches.
//
//   faceage::AgePredictor predictor;   // the bundled default model and MTCNN weights
//   for (const faceage::FacePrediction& face : predictor.predict(faceage::read_image(path)))
//     std::cout << face.age << " +- " << face.age_std << "\n";
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "faceage/face/alignment.h"
#include "faceage/face/detector.h"
#include "faceage/model/model_file.h"

namespace faceage {

inline AlignmentOptions refined_alignment() {
  AlignmentOptions options;
  options.second_pass = SecondPass::refine;
  return options;
}

struct PredictorOptions {
  std::string model_path;        // empty: find_default_model()
  std::string detector_weights;  // empty: find_mtcnn_weights()
  DetectorOptions detection;
  // Its face policy is not used: every face is predicted. Prediction finds each face again
  // after rotating with O-Net alone (SecondPass::refine): 2-3x the photos/s of MTCNN's
  // whole search, ages within the model's own noise (docs/face-detection.md).
  AlignmentOptions alignment = refined_alignment();
  int batch_size = 32;           // faces per forward pass
  double interval_mass = 0.9;    // the central interval reported with each age
  std::string device = "auto";   // cpu, cuda or auto
  int threads = 0;               // LibTorch threads; 0 = the CPUs this process may use
  // The age network's inference plan (nn/inference_plan.h): auto, plain, channels-last,
  // mkldnn or onednn; auto (the fastest precision the model validated), float32,
  // bfloat16 or int8.
  std::string inference = "auto";
  std::string precision = "auto";
  // Keep freed memory for reuse, process-wide (core/memory_reuse.h): several times faster
  // at large batches; the heap then keeps its peak size.
  bool reuse_freed_memory = true;
};

// The bundled default model: FACEAGE_MODEL, then share/faceage/models/ of an installed
// faceage, then models/ of the source tree.
std::string find_default_model(const std::string& explicit_path = "");

struct LabelPrediction {
  int label = -1;                    // gender: 0 male, 1 female; ethnicity: data/label_parsing.h
  double probability = 0;            // of that label
  std::vector<double> probabilities;  // every label's
};

struct FacePrediction {
  // Where the face is: the detection in the photo, the angle that levels its eyes and the
  // face found again in the photo so rotated. Empty for inputs given as crops.
  std::optional<AlignedFace> aligned;
  double age = 0;    // expectation of the predicted distribution (argmax for classification models)
  double age_std = 0;                 // its standard deviation, years
  double age_low = 0, age_high = 0;   // the central interval of interval_mass
  // The predicted probability of each age 0, 1, ..., num_ages - 1 (sums to 1): what age,
  // age_std and the interval summarise, for clients that draw or combine distributions.
  std::vector<double> age_distribution;
  std::optional<LabelPrediction> gender, ethnicity;  // when the model has those heads
};

// Seconds spent per stage, summed over calls (for reports and benchmarks).
struct PredictTimings {
  double detect = 0, align = 0, model = 0;
  size_t faces = 0;
};

class AgePredictor {
 public:
  explicit AgePredictor(const PredictorOptions& options = {});

  // Every face in an 8-bit BGR photo, highest detector score first.
  std::vector<FacePrediction> predict(const cv::Mat& image, PredictTimings* timings = nullptr) const;
  // Several photos: their faces go through the model together.
  std::vector<std::vector<FacePrediction>> predict(const std::vector<cv::Mat>& images,
                                                   PredictTimings* timings = nullptr) const;
  // Images that are face crops already (as the model's training images were): no detection.
  std::vector<FacePrediction> predict_crops(const std::vector<cv::Mat>& faces,
                                            PredictTimings* timings = nullptr) const;

  // Every face of `image` as the network sees it (model/network_input.h: input-size 8-bit
  // BGR, before normalisation), in predict()'s order, with where each was found.
  struct NetworkInput {
    AlignedFace aligned;
    cv::Mat face;
  };
  std::vector<NetworkInput> network_inputs(const cv::Mat& image) const;

  const ModelSpec& model() const;
  const std::string& model_path() const;
  const PredictorOptions& options() const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace faceage
