// `faceage models`: the backbones this build provides, with their parameter counts.
#include <iostream>

#include <nlohmann/json.hpp>

#include "command.h"
#include "faceage/nn/age_net.h"

namespace faceage::cli {
namespace {

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

const RegisterCommand kModels{
    "models", "List the backbones and their parameter counts", [](CLI::App& app) {
      auto as_json = std::make_shared<bool>(false);
      auto multitask = std::make_shared<bool>(false);
      app.add_flag("--json", *as_json, "Print JSON lines");
      app.add_flag("--multitask", *multitask, "Count the gender/ethnicity heads too");
      return std::function<int()>([=] {
        for (const std::string& name : architectures()) {
          AgeNetOptions options;
          options.architecture = name;
          options.multitask = *multitask;
          const int64_t count = parameter_count(*make_age_net(options));
          if (*as_json)
            std::cout << nlohmann::json{{"architecture", name}, {"parameters", count}}.dump()
                      << "\n";
          else
            std::cout << name << "\t" << count / 1e6 << " M parameters\n";
        }
        return 0;
      });
    }};

}  // namespace
}  // namespace faceage::cli
