// Data parallelism inside one test process: two threads join a real c10d Gloo group over
// loopback, as two training processes would. Each takes half of a batch; with
// sync_batchnorm their averaged gradients and batch-norm statistics must equal those of
// one network given the whole batch.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "faceage/core/error.h"
#include "faceage/parallel/communicator.h"
#include "faceage/parallel/data_parallel.h"
#include "faceage/learn/losses.h"
#include "faceage/nn/age_net.h"
#include "test_support.h"

namespace faceage {
namespace {

using faceage::testing::tensors_close;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Runs `body(communicator)` in `size` threads, each one process of a Gloo group.
void in_process_group(int size, const std::function<void(Communicator&)>& body) {
  const int port = free_port();
  std::vector<std::thread> threads;
  std::vector<std::string> errors(static_cast<size_t>(size));
  for (int rank = 0; rank < size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        LaunchEnvironment environment;
        environment.rank = rank;
        environment.world_size = size;
        environment.master_port = port;
        const std::unique_ptr<Communicator> communicator =
            join_process_group(environment, torch::kCPU, std::chrono::seconds(60));
        body(*communicator);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(rank)] = e.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int rank = 0; rank < size; ++rank) EXPECT_EQ(errors[rank], "") << "rank " << rank;
}

TEST(ProcessGroup, SumsAndBroadcastsOverLoopback) {
  std::vector<torch::Tensor> sums(2), broadcasts(2);
  in_process_group(2, [&](Communicator& group) {
    std::vector<torch::Tensor> tensors = {torch::full({3}, group.rank() + 1.0),
                                          torch::full({2, 2}, 10.0 * group.rank())};
    group.all_reduce_sum(tensors);
    sums[group.rank()] = torch::cat({tensors[0], tensors[1].flatten()});
    std::vector<torch::Tensor> value = {torch::full({2}, group.rank() == 0 ? 7.0 : -1.0)};
    group.broadcast(value, 0);
    broadcasts[group.rank()] = value[0];
  });
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_TRUE(torch::equal(sums[rank], torch::tensor({3.f, 3.f, 3.f, 10.f, 10.f, 10.f, 10.f})));
    EXPECT_TRUE(torch::equal(broadcasts[rank], torch::full({2}, 7.0)));
  }
}

TEST(ProcessGroup, RefusesToJoinWithARankOutsideTheGroup) {
  setenv("WORLD_SIZE", "2", 1);
  setenv("RANK", "2", 1);
  EXPECT_THROW(launch_environment_from_env(), Error);
  setenv("RANK", "one", 1);
  EXPECT_THROW(launch_environment_from_env(), Error);
  setenv("RANK", "1", 1);
  setenv("MASTER_PORT", "70000", 1);
  EXPECT_THROW(launch_environment_from_env(), Error);
  setenv("MASTER_PORT", "29511", 1);
  const LaunchEnvironment environment = launch_environment_from_env();
  EXPECT_EQ(environment.rank, 1);
  EXPECT_EQ(environment.world_size, 2);
  EXPECT_EQ(environment.local_rank, 1);
  EXPECT_EQ(environment.master_port, 29511);
  for (const char* name : {"WORLD_SIZE", "RANK", "MASTER_PORT"}) unsetenv(name);
  EXPECT_FALSE(launch_environment_from_env().distributed());
}

struct StepResult {
  std::vector<torch::Tensor> gradients, running_means;
  double samples = 0, loss = 0;
};

std::shared_ptr<AgeNet> seeded_network() {
  torch::manual_seed(5);
  std::shared_ptr<AgeNet> network = make_age_net(AgeNetOptions{});
  // Batch norms away from their initial unit scale and zero shift, as after some training.
  // At that exact start, half the units sit on ReLU's kink: gradients there move by 5%
  // when the weights move by 1e-6 (measured), so no two summation orders would agree.
  torch::NoGradGuard no_grad;
  for (auto& parameter : network->named_parameters())
    if (parameter.key().find("bn") != std::string::npos ||
        parameter.key().find("downsample.1") != std::string::npos)
      parameter.value().uniform_(0.5, 1.5);
  network->train();
  return network;
}

// One training step's gradients and batch-norm means; `parallel` reduces them.
StepResult step(AgeNet& network, const torch::Tensor& images, const torch::Tensor& ages,
                DataParallel* parallel) {
  const AgeNetOutput output = network.forward(images);
  const LossTerms terms = age_net_loss(output, ages, torch::Tensor(), torch::Tensor(), LossOptions{});
  const double samples = static_cast<double>(images.size(0));
  StepResult result{{}, {}, samples, terms.total.item<double>()};
  if (parallel) {
    (terms.total * samples).backward();
    const StepTotals totals = parallel->average_gradients(samples, result.loss * samples, false);
    result.samples = totals.samples;
    result.loss = totals.loss_sum / totals.samples;
  } else {
    terms.total.backward();
  }
  for (const torch::Tensor& parameter : network.parameters())
    result.gradients.push_back(parameter.grad().clone());
  for (const auto& buffer : network.named_buffers())
    if (buffer.key().find("running_mean") != std::string::npos)
      result.running_means.push_back(buffer.value().clone());
  return result;
}

// One step in two processes: rank 0 takes the first `first` images, rank 1 the rest.
std::vector<StepResult> two_process_step(const torch::Tensor& images, const torch::Tensor& ages,
                                         int64_t first, bool sync_batchnorm) {
  // Built here: the threads would race on the global random generator.
  const std::vector<std::shared_ptr<AgeNet>> networks = {seeded_network(), seeded_network()};
  std::vector<StepResult> results(2);
  in_process_group(2, [&](Communicator& group) {
    AgeNet* network = networks[group.rank()].get();
    DataParallel parallel(group, *network, sync_batchnorm, /*bucket_bytes=*/1 << 20);
    parallel.broadcast_weights();
    const int64_t begin = group.rank() == 0 ? 0 : first;
    const int64_t end = group.rank() == 0 ? first : images.size(0);
    results[group.rank()] = step(*network, images.slice(0, begin, end),
                                 ages.slice(0, begin, end), &parallel);
  });
  return results;
}

void expect_two_processes_step_as_one(const torch::Tensor& images, const torch::Tensor& ages,
                                      int64_t first) {
  std::shared_ptr<AgeNet> single = seeded_network();
  const StepResult expected = step(*single, images, ages, nullptr);
  const std::vector<StepResult> results = two_process_step(images, ages, first, true);

  for (const StepResult& result : results) {
    EXPECT_EQ(result.samples, images.size(0));
    EXPECT_NEAR(result.loss, expected.loss, 1e-4 * std::abs(expected.loss));
    ASSERT_EQ(result.gradients.size(), expected.gradients.size());
    for (size_t i = 0; i < expected.gradients.size(); ++i)
      EXPECT_TRUE(tensors_close(result.gradients[i], expected.gradients[i], 1e-3)) << "parameter " << i;
    ASSERT_EQ(result.running_means.size(), expected.running_means.size());
    for (size_t i = 0; i < expected.running_means.size(); ++i)
      EXPECT_TRUE(tensors_close(result.running_means[i], expected.running_means[i], 1e-4));
  }
}

TEST(DataParallel, TwoProcessesWithSyncBatchNormStepAsOneWithTheCombinedBatch) {
  torch::manual_seed(1);
  const torch::Tensor images = torch::randn({6, 3, 64, 64});
  const torch::Tensor ages = torch::tensor({3.f, 17.f, 25.f, 40.f, 61.f, 88.f});
  // Unequal halves (4 and 2 images): the gradients are weighted by samples.
  expect_two_processes_step_as_one(images, ages, 4);
}

TEST(DataParallel, OneImagePerProcessStepsAsABatchOfTwo) {
  // The last, short batch of an epoch.
  torch::manual_seed(3);
  expect_two_processes_step_as_one(torch::randn({2, 3, 64, 64}), torch::tensor({12.f, 50.f}), 1);
}

TEST(DataParallel, SeveralStepsOfSgdStayInStep) {
  torch::manual_seed(4);
  const torch::Tensor images = torch::randn({3, 6, 3, 64, 64});
  const torch::Tensor ages = torch::rand({3, 6}) * 80;
  const auto train = [&](AgeNet& network, DataParallel* parallel, int64_t begin, int64_t end) {
    torch::optim::SGD sgd(network.parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
    for (int64_t s = 0; s < 3; ++s) {
      sgd.zero_grad();
      step(network, images[s].slice(0, begin, end), ages[s].slice(0, begin, end), parallel);
      sgd.step();
    }
  };
  std::shared_ptr<AgeNet> single = seeded_network();
  train(*single, nullptr, 0, 6);
  const std::vector<std::shared_ptr<AgeNet>> networks = {seeded_network(), seeded_network()};
  in_process_group(2, [&](Communicator& group) {
    AgeNet& network = *networks[group.rank()];
    DataParallel parallel(group, network, /*sync_batchnorm=*/true);
    train(network, &parallel, group.rank() * 3, group.rank() * 3 + 3);
  });
  // Rounding differs between a batch of 6 and two of 3 (the convolutions' kernels sum in
  // another order) and momentum SGD amplifies it: within 1e-4 of the largest weight on an
  // AMD Zen 5, up to 6.7e-3 on an Intel Xeon (measured). A process that did not average
  // its gradients would step on half the batch: differences of the order of the step.
  const std::vector<torch::Tensor> expected = single->parameters();
  for (const std::shared_ptr<AgeNet>& network : networks) {
    const std::vector<torch::Tensor> actual = network->parameters();
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(tensors_close(actual[i], expected[i], 2e-2)) << "parameter " << i;
  }
  // The control: a process that trains on its half alone is well outside that bound.
  std::shared_ptr<AgeNet> alone = seeded_network();
  train(*alone, nullptr, 0, 3);
  const std::vector<torch::Tensor> unaveraged = alone->parameters();
  size_t far = 0;
  for (size_t i = 0; i < expected.size(); ++i) far += !tensors_close(unaveraged[i], expected[i], 2e-2);
  EXPECT_GT(far, expected.size() / 4) << "of " << expected.size() << " parameters";
}

TEST(DataParallel, WithoutSyncBatchNormTheHalvesNormaliseOnTheirOwn) {
  // The control for the test above: per-process batch statistics do change gradients.
  torch::manual_seed(1);
  const torch::Tensor images = torch::randn({6, 3, 64, 64});
  const torch::Tensor ages = torch::tensor({3.f, 17.f, 25.f, 40.f, 61.f, 88.f});
  std::shared_ptr<AgeNet> single = seeded_network();
  const StepResult expected = step(*single, images, ages, nullptr);

  const std::vector<StepResult> results = two_process_step(images, ages, 3, /*sync_batchnorm=*/false);
  // Same on both processes (averaged), different from the combined batch.
  EXPECT_TRUE(torch::equal(results[0].gradients[0], results[1].gradients[0]));
  EXPECT_FALSE(tensors_close(results[0].gradients[0], expected.gradients[0], 1e-3));
}

TEST(DataParallel, AProcessWithNoImagesStillTakesPartInTheStep) {
  // A batch of only bad images: that process forwards an empty batch (its batch norms
  // still join the collectives) and adds nothing; the other's gradients stand.
  torch::manual_seed(2);
  const torch::Tensor images = torch::randn({3, 3, 64, 64});
  const torch::Tensor ages = torch::tensor({20.f, 30.f, 40.f});
  std::shared_ptr<AgeNet> single = seeded_network();
  const StepResult expected = step(*single, images, ages, nullptr);

  const std::vector<std::shared_ptr<AgeNet>> networks = {seeded_network(), seeded_network()};
  std::vector<torch::Tensor> first_gradient(2);
  in_process_group(2, [&](Communicator& group) {
    AgeNet* network = networks[group.rank()].get();
    DataParallel parallel(group, *network, /*sync_batchnorm=*/true);
    if (group.rank() == 0) {
      first_gradient[0] = step(*network, images, ages, &parallel).gradients[0];
    } else {
      const AgeNetOutput output = network->forward(torch::zeros({0, 3, 64, 64}));
      (output.age_logits.sum() * 0).backward();
      EXPECT_EQ(parallel.average_gradients(0, 0, false).samples, 3);
      first_gradient[1] = network->parameters()[0].grad().clone();
    }
  });
  for (const torch::Tensor& gradient : first_gradient)
    EXPECT_TRUE(tensors_close(gradient, expected.gradients[0], 1e-3));
}

}  // namespace
}  // namespace faceage
