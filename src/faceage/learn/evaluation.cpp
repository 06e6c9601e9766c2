#include "faceage/learn/evaluation.h"

#include "faceage/core/error.h"
#include "faceage/model/label_distribution.h"
#include "faceage/nn/flip_average.h"

namespace faceage {

namespace {

void append(std::vector<int>& out, const torch::Tensor& values) {
  const torch::Tensor cpu = values.to(torch::kCPU, torch::kLong);
  for (int64_t i = 0; i < cpu.size(0); ++i) out.push_back(static_cast<int>(cpu[i].item<int64_t>()));
}

void append(std::vector<double>& out, const torch::Tensor& values) {
  const torch::Tensor cpu = values.to(torch::kCPU, torch::kDouble).contiguous();
  out.insert(out.end(), cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

}  // namespace

Predictions evaluate(AgeNet& network, BatchSource& source, int epoch,
                     const LossOptions& loss_options, const torch::Device& device,
                     bool flip_average) {
  torch::NoGradGuard no_grad;
  network.eval();
  source.start_epoch(epoch);
  Predictions out;
  double loss_sum = 0;
  int64_t batches = 0;
  while (auto batch = source.next()) {
    const AgeNetOutput output =
        forward_for_inference(network, batch->images.to(device), flip_average);
    const LossTerms terms = age_net_loss(output, batch->ages.to(device), batch->genders,
                                         batch->ethnicities, loss_options);
    loss_sum += terms.total.item<double>();
    ++batches;
    append(out.predicted_age, predicted_age(output.age_logits, loss_options.formulation));
    append(out.age_spread, age_standard_deviation(torch::softmax(output.age_logits, 1)));
    append(out.true_age, batch->ages);
    append(out.true_gender, batch->genders);
    append(out.true_ethnicity, batch->ethnicities);
    const int64_t n = batch->ages.size(0);
    append(out.predicted_gender, output.gender_logits.defined() ? output.gender_logits.argmax(1)
                                                                : torch::full({n}, -1));
    append(out.predicted_ethnicity, output.ethnicity_logits.defined()
                                        ? output.ethnicity_logits.argmax(1)
                                        : torch::full({n}, -1));
    out.sample_indices.insert(out.sample_indices.end(), batch->sample_indices.begin(),
                              batch->sample_indices.end());
  }
  out.mean_loss = batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0;
  return out;
}

}  // namespace faceage
