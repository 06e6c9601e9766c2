// Bad input to the ONNX export gives one line naming the model file (or output path) and
// what is wrong: a layer or architecture without an emitter, an architecture this build
// does not know, an unwritable output, a command line without an output.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/io/safetensors.h"
#include "faceage/model/model_file.h"
#include "faceage/onnx/onnx_export.h"
#include "run_command.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::cli_path;
using faceage::testing::run_command;
using faceage::testing::temp_dir;

std::string default_model_path() {
  return faceage::testing::source_dir() + "/models/default-age-model.safetensors";
}

// The message of the faceage::Error that exporting `model` throws ("" if none).
std::string export_error(const LoadedModel& model, const std::string& source) {
  try {
    onnx_export::export_onnx(model, source, temp_dir("onnx-errors") + "/never.onnx");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

LoadedModel resnet18() {
  LoadedModel model;
  model.spec.network.architecture = "resnet18";
  model.spec.preprocessing.input_size = 64;
  model.network = make_age_net(model.spec.network);
  model.network->eval();
  return model;
}

TEST(OnnxExportErrors, AnUnknownLayerNamesTheModelAndTheLayer) {
  LoadedModel model = resnet18();
  for (const auto& item : model.network->named_modules())
    if (item.key() == "layer1.0") item.value()->register_module("gate", torch::nn::Tanh());
  const std::string message = export_error(model, "models/toy.safetensors");
  EXPECT_EQ(message.rfind("models/toy.safetensors: unsupported layer 'layer1.0.gate'", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(OnnxExportErrors, AnArchitectureWithoutAnEmitterIsNamed) {
  struct ToyNet : AgeNet {
    ToyNet() : AgeNet([] { AgeNetOptions o; o.architecture = "toy_net"; return o; }()) {
      fc = register_module("fc", torch::nn::Linear(3, kNumAges));
    }
    AgeNetOutput forward(torch::Tensor images) override { return {fc(images.mean({2, 3}))}; }
    torch::nn::Linear fc{nullptr};
  };
  LoadedModel model;
  model.network = std::make_shared<ToyNet>();
  model.spec.network = model.network->options();
  const std::string message = export_error(model, "toy.safetensors");
  EXPECT_EQ(message.rfind("toy.safetensors: architecture 'toy_net' has no ONNX export (supported: ", 0), 0u)
      << message;
}

TEST(OnnxExportErrors, AModelOfAnUnknownArchitectureNamesTheFile) {
  const std::string dir = temp_dir("onnx-unknown-architecture");
  SafetensorsContent content = read_safetensors(default_model_path());
  nlohmann::json spec = nlohmann::json::parse(content.metadata.at(kModelSpecKey));
  spec["architecture"] = "mobilenet_v9";
  content.metadata[kModelSpecKey] = spec.dump();
  const std::string model = dir + "/mobilenet.safetensors";
  write_safetensors(model, content.tensors, content.metadata);
  const auto result = run_command(cli_path() + " export --model " + model + " --onnx " + dir + "/out.onnx 2>&1");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(model + ": architecture 'mobilenet_v9' is unknown"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.onnx"));
}

TEST(OnnxExportErrors, AnUnwritableOutputIsNamed) {
  const std::string dir = temp_dir("onnx-unwritable");
  std::ofstream(dir + "/a-file") << "not a folder";
  const std::string out = dir + "/a-file/model.onnx";  // its folder is a file
  const auto result = run_command(cli_path() + " export --model " + default_model_path() +
                                  " --onnx " + out + " 2>&1");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("faceage: error: " + out + ": "), std::string::npos) << result.output;
}

TEST(OnnxExportErrors, TheCommandNeedsAnOutputAndFlipOnlyWithOnnx) {
  const std::string model = " export --model " + default_model_path();
  auto result = run_command(cli_path() + model + " 2>&1");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--out or --onnx"), std::string::npos) << result.output;
  result = run_command(cli_path() + model + " --out " + temp_dir("onnx-flag") +
                       "/m.safetensors --onnx-flip-average true 2>&1");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--onnx"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace faceage
