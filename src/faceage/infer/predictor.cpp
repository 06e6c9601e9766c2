#include "faceage/infer/predictor.h"

#include <chrono>

#include "faceage/core/compute_threads.h"
#include "faceage/core/error.h"
#include "faceage/core/memory_reuse.h"
#include "faceage/core/model_files.h"
#include "faceage/model/network_input.h"
#include "faceage/core/device.h"
#include "faceage/model/formulation.h"
#include "faceage/model/label_distribution.h"
#include "faceage/nn/flip_average.h"
#include "faceage/nn/inference_optimization.h"

namespace faceage {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<LabelPrediction> label_predictions(const torch::Tensor& logits) {
  std::vector<LabelPrediction> out;
  if (!logits.defined()) return out;
  const torch::Tensor probabilities = torch::softmax(logits, 1).to(torch::kCPU, torch::kDouble);
  const auto p = probabilities.accessor<double, 2>();
  for (int64_t i = 0; i < p.size(0); ++i) {
    LabelPrediction prediction;
    for (int64_t k = 0; k < p.size(1); ++k) {
      prediction.probabilities.push_back(p[i][k]);
      if (p[i][k] > prediction.probability) prediction.probability = p[i][k], prediction.label = k;
    }
    out.push_back(std::move(prediction));
  }
  return out;
}

}  // namespace

std::string find_default_model(const std::string& explicit_path) {
  return find_model_file({"default-age-model.safetensors", "FACEAGE_MODEL", "age model",
                          "pass --model FILE or set FACEAGE_MODEL (the bundled default model "
                          "is models/default-age-model.safetensors of the source tree)"},
                         explicit_path);
}

struct AgePredictor::Impl {
  PredictorOptions options;
  std::string model_path;
  LoadedModel model;
  FaceDetector detector;
  torch::Device device;

  explicit Impl(const PredictorOptions& o)
      : options(o),
        model_path(find_default_model(o.model_path)),
        model(load_model(model_path)),
        detector(o.detector_weights, o.detection),
        device(choose_device(o.device)) {
    if (o.reuse_freed_memory) keep_freed_memory_for_reuse();
    if (o.batch_size < 1) fail("batch size {} must be at least 1", o.batch_size);
    if (!(o.interval_mass > 0 && o.interval_mass < 1))
      fail("interval mass {} must be between 0 and 1 (e.g. 0.9)", o.interval_mass);
    model.network->to(device);
    model.network->eval();
    const int64_t images_per_pass = o.batch_size * (model.spec.flip_average ? 2 : 1);
    optimize_for_inference(*model.network,
                           inference_plan_for(model.spec, model_path, o.inference, o.precision,
                                              device, images_per_pass));
  }

  // Runs the network over prepared input-size faces, batch by batch, filling the age
  // fields of `out` (one per face, in order).
  void run_model(const std::vector<cv::Mat>& faces, std::vector<FacePrediction*>& out) const {
    const Preprocessing& p = model.spec.preprocessing;
    const int64_t size = p.input_size;
    torch::NoGradGuard no_grad;
    for (size_t first = 0; first < faces.size(); first += options.batch_size) {
      const size_t count = std::min(faces.size() - first, static_cast<size_t>(options.batch_size));
      torch::Tensor batch = torch::empty({static_cast<int64_t>(count), 3, size, size});
      for (size_t i = 0; i < count; ++i)
        write_input_tensor(faces[first + i], p, batch[i].data_ptr<float>());
      const AgeNetOutput output =
          forward_for_inference(*model.network, batch.to(device), model.spec.flip_average);
      const torch::Tensor probabilities = torch::softmax(output.age_logits.to(torch::kFloat), 1);
      const torch::Tensor distributions = probabilities.to(torch::kCPU, torch::kDouble).contiguous();
      const torch::Tensor ages =
          predicted_age(output.age_logits, model.spec.formulation).to(torch::kCPU, torch::kDouble);
      const torch::Tensor spreads = age_standard_deviation(probabilities).to(torch::kCPU, torch::kDouble);
      const torch::Tensor intervals =
          age_interval(probabilities, options.interval_mass).to(torch::kCPU, torch::kDouble);
      const std::vector<LabelPrediction> genders = label_predictions(output.gender_logits);
      const std::vector<LabelPrediction> ethnicities = label_predictions(output.ethnicity_logits);
      for (size_t i = 0; i < count; ++i) {
        FacePrediction& face = *out[first + i];
        const int64_t row = static_cast<int64_t>(i);
        face.age = ages[row].item<double>();
        face.age_std = spreads[row].item<double>();
        face.age_low = intervals[row][0].item<double>();
        face.age_high = intervals[row][1].item<double>();
        const double* distribution = distributions[row].data_ptr<double>();
        face.age_distribution.assign(distribution, distribution + distributions.size(1));
        if (!genders.empty()) face.gender = genders[i];
        if (!ethnicities.empty()) face.ethnicity = ethnicities[i];
      }
    }
  }
};

AgePredictor::AgePredictor(const PredictorOptions& options) {
  use_compute_threads(options.threads);
  impl_ = std::make_shared<const Impl>(options);
}

std::vector<AgePredictor::NetworkInput> AgePredictor::network_inputs(const cv::Mat& image) const {
  const Impl& impl = *impl_;
  std::vector<NetworkInput> inputs;
  for (const DetectedFace& detected : detect_faces(impl.detector, image, impl.options.alignment)) {
    NetworkInput input;
    input.aligned = align_detected_face(impl.detector, image, detected, impl.options.alignment);
    input.face = network_input_face(image, input.aligned.geometry(), impl.model.spec.preprocessing);
    inputs.push_back(std::move(input));
  }
  return inputs;
}

std::vector<FacePrediction> AgePredictor::predict(const cv::Mat& image,
                                                  PredictTimings* timings) const {
  return predict(std::vector<cv::Mat>{image}, timings).front();
}

std::vector<std::vector<FacePrediction>> AgePredictor::predict(const std::vector<cv::Mat>& images,
                                                               PredictTimings* timings) const {
  PredictTimings local;
  PredictTimings& t = timings ? *timings : local;
  std::vector<std::vector<FacePrediction>> results(images.size());
  std::vector<cv::Mat> inputs;
  std::vector<FacePrediction*> targets;
  // First every photo's faces and crops, then one pass of the model over all of them.
  const Preprocessing& preprocessing = impl_->model.spec.preprocessing;
  for (size_t i = 0; i < images.size(); ++i) {
    Clock::time_point start = Clock::now();
    const std::vector<DetectedFace> faces =
        detect_faces(impl_->detector, images[i], impl_->options.alignment);
    t.detect += seconds_since(start);
    start = Clock::now();
    results[i].resize(faces.size());
    for (size_t f = 0; f < faces.size(); ++f) {
      AlignedFace& aligned = results[i][f].aligned.emplace(
          align_detected_face(impl_->detector, images[i], faces[f], impl_->options.alignment));
      inputs.push_back(network_input_face(images[i], aligned.geometry(), preprocessing));
    }
    t.align += seconds_since(start);
  }
  for (auto& faces : results)
    for (FacePrediction& face : faces) targets.push_back(&face);
  const Clock::time_point start = Clock::now();
  impl_->run_model(inputs, targets);
  t.model += seconds_since(start);
  t.faces += inputs.size();
  return results;
}

std::vector<FacePrediction> AgePredictor::predict_crops(const std::vector<cv::Mat>& faces,
                                                        PredictTimings* timings) const {
  std::vector<FacePrediction> results(faces.size());
  std::vector<cv::Mat> inputs;
  std::vector<FacePrediction*> targets;
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < faces.size(); ++i) {
    if (faces[i].empty()) fail("face crop {} is an empty image", i);
    inputs.push_back(resize_to_input(faces[i], impl_->model.spec.preprocessing.input_size));
    targets.push_back(&results[i]);
  }
  impl_->run_model(inputs, targets);
  if (timings) timings->model += seconds_since(start), timings->faces += faces.size();
  return results;
}

const ModelSpec& AgePredictor::model() const { return impl_->model.spec; }
const std::string& AgePredictor::model_path() const { return impl_->model_path; }
const PredictorOptions& AgePredictor::options() const { return impl_->options; }

}  // namespace faceage
