#pragma once
// The options every command that runs AgePredictor shares (predict, serve): which model
// and detector weights, the smallest face, the interval mass, device, threads and inference plan.
#include <string>

#include <CLI/CLI.hpp>

#include "faceage/infer/predictor.h"
#include "faceage/nn/inference_plan.h"

namespace faceage::cli {

// The age network's inference plan (nn/inference_plan.h), shared with eval.
inline void add_inference_options(CLI::App& app, std::string& layout, std::string& precision) {
  app.add_option("--inference", layout, "Network layout (mkldnn and onednn on the CPU only; see "
                                        "performance.md)")
      ->check(CLI::IsMember(inference_layout_names()));
  app.add_option("--precision", precision,
                 "Number format; auto: the fastest the model file says was validated (int8 on "
                 "the oneDNN chain where the CPU has VNNI, else float32)")
      ->check(CLI::IsMember(inference_precision_names()));
}

// How alignment finds each face again in the rotated photo (face/alignment.h).
inline void add_second_pass_option(CLI::App& app, SecondPass& pass) {
  app.add_option_function<std::string>(
         "--second-pass", [&pass](const std::string& name) { pass = second_pass_from_name(name); },
         "Alignment's second pass: refine (O-Net on the rotated first box) or detect "
         "(MTCNN's whole search again, as the paper)")
      ->check(CLI::IsMember({"refine", "detect"}));
}

inline void add_predictor_options(CLI::App& app, PredictorOptions& o) {
  app.add_option("--model", o.model_path, "Age model (.safetensors); default: the bundled model");
  app.add_option("--detector-weights", o.detector_weights, "MTCNN weights (.safetensors)");
  app.add_option("--min-face", o.detection.min_face_size, "Smallest face searched for, pixels")
      ->check(CLI::Range(12.0, 10000.0));
  app.add_option("--detect-max-pixels", o.detection.max_pixels,
                 "Larger photos are searched for faces on a copy of at most this many pixels "
                 "(bounded memory; 0 = the whole photo)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--interval", o.interval_mass, "Mass of the reported age interval")
      ->check(CLI::Range(0.01, 0.99));
  app.add_option("--device", o.device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app.add_option("--threads", o.threads, "LibTorch threads (0 = the CPUs this process may use)")
      ->check(CLI::Range(0, 256));
  app.add_option("--search-window", o.alignment.search_window,
                 "Second detection: face sizes searched around each face (0 = whole photo)")
      ->check(CLI::Range(0.0, 100.0));
  add_second_pass_option(app, o.alignment.second_pass);
  add_inference_options(app, o.inference, o.precision);
}

}  // namespace faceage::cli
