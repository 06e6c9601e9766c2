// `faceage curves`: several runs' losses and validation MAE on one PNG (learn/run_comparison.h).
#include <iostream>
#include <memory>

#include "command.h"
#include "faceage/core/error.h"
#include "faceage/learn/run_comparison.h"

namespace faceage::cli {
namespace {

const RegisterCommand kCurves{
    "curves", "Compare training runs: losses and validation MAE by epoch, one line per run",
    [](CLI::App& app) {
      auto runs = std::make_shared<std::vector<std::string>>();
      auto labels = std::make_shared<std::vector<std::string>>();
      auto out = std::make_shared<std::string>();
      auto relative = std::make_shared<bool>(false);
      app.add_option("runs", *runs, "Run folders (or their metrics.jsonl)")->required();
      app.add_option("--label", *labels, "A legend label per run, in order (default: folder names)");
      app.add_option("-o,--out", *out, "The PNG to write")->required();
      app.add_flag("--relative", *relative,
                   "Divide each run's losses by its first epoch's (losses of different kinds)");
      return std::function<int()>([=] {
        if (!labels->empty() && labels->size() != runs->size())
          fail("--label: {} labels for {} runs (give one per run, or none)", labels->size(),
               runs->size());
        std::vector<RunHistory> histories;
        for (size_t i = 0; i < runs->size(); ++i)
          histories.push_back(read_run_history((*runs)[i], labels->empty() ? "" : (*labels)[i]));
        write_run_comparison(*out, histories, *relative);
        std::cout << *out << ": " << histories.size() << " runs\n";
        return 0;
      });
    }};

}  // namespace
}  // namespace faceage::cli
