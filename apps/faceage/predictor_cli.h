#pragma once
// The options every command that runs AgePredictor shares (predict, serve): which model
// and detector weights, the smallest face, the interval mass, device and threads.
#include <CLI/CLI.hpp>

#include "faceage/infer/predictor.h"

namespace faceage::cli {

inline void add_predictor_options(CLI::App& app, PredictorOptions& o) {
  app.add_option("--model", o.model_path, "Age model (.safetensors); default: the bundled model");
  app.add_option("--detector-weights", o.detector_weights, "MTCNN weights (.safetensors)");
  app.add_option("--min-face", o.detection.min_face_size, "Smallest face searched for, pixels")
      ->check(CLI::Range(12.0, 10000.0));
  app.add_option("--interval", o.interval_mass, "Mass of the reported age interval")
      ->check(CLI::Range(0.01, 0.99));
  app.add_option("--device", o.device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app.add_option("--threads", o.threads, "LibTorch threads (0 = every logical CPU)")
      ->check(CLI::Range(0, 256));
}

}  // namespace faceage::cli
