#include "onnx_runtime_runner.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "run_command.h"
#include "test_support.h"

namespace faceage::testing {
namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

void write_floats(const std::string& path, const torch::Tensor& tensor) {
  const torch::Tensor values = tensor.to(torch::kCPU, torch::kFloat).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data_ptr<float>()),
            static_cast<std::streamsize>(values.numel() * sizeof(float)));
  if (!out) throw std::runtime_error(path + ": cannot write the input tensor");
}

torch::Tensor read_floats(const std::string& path, const std::vector<int64_t>& dims) {
  std::ifstream in(path, std::ios::binary);
  torch::Tensor tensor = torch::empty(dims, torch::kFloat);
  in.read(reinterpret_cast<char*>(tensor.data_ptr<float>()),
          static_cast<std::streamsize>(tensor.numel() * sizeof(float)));
  if (!in) throw std::runtime_error(path + ": shorter than its dims say");
  return tensor;
}

}  // namespace

std::string onnx_runtime_prefix() {
  const char* prefix = std::getenv("FACEAGE_ONNXRUNTIME_DIR");
  return prefix && *prefix ? prefix : source_dir() + "/third_party/downloads/onnxruntime";
}

std::string onnx_runtime_missing() {
  if (run_command("command -v node").exit_code != 0)
    return "node is not installed: run scripts/install-deps.sh, then scripts/fetch-onnxruntime.sh";
  const std::string package = onnx_runtime_prefix() + "/node_modules/onnxruntime-node/package.json";
  if (!std::filesystem::exists(package))
    return "onnxruntime-node is not in " + onnx_runtime_prefix() + ": run scripts/fetch-onnxruntime.sh";
  return "";
}

std::map<std::string, torch::Tensor> run_onnx_runtime(const std::string& model_path,
                                                      const torch::Tensor& images,
                                                      const std::string& work_dir) {
  const std::string input = work_dir + "/input.f32", out_dir = work_dir + "/outputs";
  write_floats(input, images);
  const std::string script = source_dir() + "/tests/onnx/run_onnx_model.mjs";
  const CommandResult result = run_command(
      "node " + quoted(script) + " " + quoted(onnx_runtime_prefix()) + " " + quoted(model_path) +
      " " + quoted(input) + " " + std::to_string(images.size(0)) + " " +
      std::to_string(images.size(2)) + " " + std::to_string(images.size(3)) + " " + quoted(out_dir) +
      " 2>&1");
  if (result.exit_code != 0)
    throw std::runtime_error("onnxruntime-node failed on " + model_path + ": " + result.output);
  std::ifstream manifest(out_dir + "/outputs.json");
  const nlohmann::json shapes = nlohmann::json::parse(manifest);
  std::map<std::string, torch::Tensor> outputs;
  for (const auto& [name, dims] : shapes.items())
    outputs[name] = read_floats(out_dir + "/" + name + ".f32", dims.get<std::vector<int64_t>>());
  return outputs;
}

}  // namespace faceage::testing
