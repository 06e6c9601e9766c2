#include "faceage/nn/onednn_trunk.h"

#include "faceage/core/error.h"

#ifdef FACEAGE_WITH_ONEDNN
#include <map>
#include <mutex>
#include <tuple>

#include <ATen/Parallel.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "faceage/nn/onednn_program.h"
#endif

namespace faceage::nn {

#ifdef FACEAGE_WITH_ONEDNN

namespace {

// The threads oneDNN runs (and sizes scratch memory for) in this thread: OpenMP's, after
// LibTorch has set them for the thread (onednn_program.cpp's run() does the same).
int onednn_threads() {
  at::internal::lazy_init_num_threads();
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return at::get_num_threads();
#endif
}

// Where a built chain keeps its outputs.
struct BuiltTrunk {
  std::unique_ptr<onednn::Program> program;
  dnnl::memory pooled, middle;
};

const onednn::Program::Activation kNone{}, kRelu{dnnl::algorithm::eltwise_relu, {}};

dnnl::memory append_block(onednn::Program& program, const dnnl::memory& x,
                          const TrunkBlock& block) {
  const dnnl::memory shortcut =
      block.downsample ? program.convolution(x, *block.downsample, kNone) : x;
  dnnl::memory y = x;
  const size_t last = block.convolutions.size() - 1;
  for (size_t i = 0; i < last; ++i) {
    const dnnl::memory next = program.convolution(y, block.convolutions[i], kRelu);
    if (i > 0) program.release(y);
    y = next;
  }
  dnnl::memory out;
  if (block.gate) {
    const dnnl::memory z = program.convolution(y, block.convolutions[last], kNone);
    const dnnl::memory pooled = program.global_average(z, /*exact=*/false);
    const dnnl::memory scale = program.gate(pooled, *block.gate);
    program.release(pooled);
    out = program.gated_residual(z, scale, shortcut);
    program.release(scale);
    if (block.downsample) program.release(shortcut);
    program.release(x);  // the identity shortcut was read by gated_residual
  } else if (onednn::Program::convolution_dims(y, block.convolutions[last]) !=
             shortcut.get_desc().dims()) {
    // The branch is one row and column short of the shortcut: added to its corner, so
    // the ReLU, which covers the whole map, is a step of its own.
    const dnnl::memory z = program.convolution(y, block.convolutions[last], kNone);
    program.add_to_corner(z, shortcut);
    program.release(z);
    out = program.activate(shortcut, kRelu);
    if (block.downsample) program.release(x);
  } else {
    // The residual is added in the shortcut's buffer: x's own when it is the identity.
    out = program.convolution(y, block.convolutions[last], kRelu, &shortcut);
    if (block.downsample) program.release(x);
  }
  if (last > 0) program.release(y);
  return out;
}

BuiltTrunk build(const TrunkDescription& description, const dnnl::memory::dims& input,
                 bool with_middle, onednn::Workspace& workspace, Precision precision,
                 const ActivationRanges& ranges) {
  BuiltTrunk built{std::make_unique<onednn::Program>(input, workspace, /*channels_last=*/false,
                                                     precision, &ranges),
                   {}, {}};
  onednn::Program& program = *built.program;
  program.allow_winograd();
  const dnnl::memory stem = program.convolution(program.input(), description.stem, kRelu);
  dnnl::memory x = program.max_pool(stem, 3, 2, description.stem_pool_padding);
  program.release(stem);
  for (size_t layer = 0; layer < description.layers.size(); ++layer) {
    for (const TrunkBlock& block : description.layers[layer]) x = append_block(program, x, block);
    if (layer == 1 && with_middle) built.middle = program.global_average(x);
  }
  built.pooled = program.global_average(x);
  if (precision == Precision::kInt8 &&
      static_cast<size_t>(program.activation_count()) != ranges.size())
    fail(
        "the int8 calibration has {} activation ranges, this network's trunk makes {}: "
        "calibrate the model again (faceage calibrate)",
        ranges.size(), program.activation_count());
  return built;
}

}  // namespace

struct OneDnnTrunk::Impl {
  TrunkDescription description;
  Precision precision = Precision::kFloat32;
  ActivationRanges ranges;
  std::mutex mutex;  // the chains share one workspace: one call at a time
  onednn::Workspace workspace;
  std::map<std::tuple<int64_t, int64_t, int64_t, bool, int>, BuiltTrunk> built;

  // A chain per shape and per thread count: oneDNN splits a primitive's work and sizes
  // its scratch memory for the threads of the thread that creates it, and callers (a
  // server's model thread, `faceage align --jobs N`) may run with other counts.
  BuiltTrunk& chain(int64_t n, int64_t h, int64_t w, bool with_middle) {
    const auto key = std::make_tuple(n, h, w, with_middle, onednn_threads());
    auto found = built.find(key);
    if (found != built.end()) return found->second;
    // Chains are small (the workspace holds weights and buffers), but picture sizes can
    // be many: start over past a few dozen.
    if (built.size() >= 48) built.clear();
    return built
        .emplace(key, build(description, {n, 3, h, w}, with_middle, workspace, precision, ranges))
        .first->second;
  }
};

bool OneDnnTrunk::available() { return true; }

bool OneDnnTrunk::native(Precision precision) {
  using dnnl::cpu_isa;
  const cpu_isa isa = dnnl::get_effective_cpu_isa();
  switch (precision) {
    case Precision::kFloat32: return true;
    case Precision::kBFloat16:
      return isa == cpu_isa::avx512_core_bf16 || isa == cpu_isa::avx512_core_amx;
    case Precision::kInt8:
      return isa == cpu_isa::avx512_core_vnni || isa == cpu_isa::avx512_core_bf16 ||
             isa == cpu_isa::avx512_core_amx || isa == cpu_isa::avx2_vnni;
  }
  return false;
}

OneDnnTrunk::OneDnnTrunk(TrunkDescription description, Precision precision,
                         ActivationRanges ranges)
    : impl_(std::make_unique<Impl>()) {
  if (precision == Precision::kInt8 && ranges.empty())
    fail("an int8 oneDNN trunk needs the model's calibrated activation ranges (faceage calibrate)");
  impl_->description = std::move(description);
  impl_->precision = precision;
  impl_->ranges = std::move(ranges);
}

OneDnnTrunk::~OneDnnTrunk() = default;

Precision OneDnnTrunk::precision() const { return impl_->precision; }

double OneDnnTrunk::multiply_adds(int64_t height, int64_t width) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->chain(1, height, width, false).program->multiply_adds();
}

void OneDnnTrunk::record_ranges(const torch::Tensor& images, ActivationRanges& ranges) {
  if (impl_->precision != Precision::kFloat32)
    fail("activation ranges are recorded on a float32 oneDNN trunk");
  const torch::Tensor input = images.to(torch::kFloat).contiguous();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  int64_t start = 0;
  for (const int64_t n : onednn::power_of_two_pieces(input.size(0))) {
    BuiltTrunk& trunk = impl_->chain(n, input.size(2), input.size(3), false);
    trunk.program->run(input.slice(0, start, start + n), &ranges);
    start += n;
  }
}

TrunkOutput OneDnnTrunk::run(const torch::Tensor& images, bool with_middle) {
  const torch::Tensor input = images.to(torch::kFloat).contiguous();
  if (input.dim() != 4 || !input.device().is_cpu() || input.size(0) == 0)
    fail("oneDNN trunk: expected CPU images of [N > 0, 3, H, W], got {} on {}",
         c10::str(input.sizes()), input.device().str());
  const int64_t h = input.size(2), w = input.size(3);
  std::vector<torch::Tensor> pooled, middle;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  int64_t start = 0;
  for (const int64_t n : onednn::power_of_two_pieces(input.size(0))) {
    BuiltTrunk& trunk = impl_->chain(n, h, w, with_middle);
    trunk.program->run(input.slice(0, start, start + n));
    start += n;
    pooled.push_back(onednn::copied(trunk.pooled, {n, trunk.pooled.get_desc().dims()[1]}));
    if (with_middle)
      middle.push_back(onednn::copied(trunk.middle, {n, trunk.middle.get_desc().dims()[1], 1, 1}));
  }
  TrunkOutput output;
  output.pooled = onednn::joined(pooled);
  if (with_middle) output.middle = onednn::joined(middle);
  return output;
}

#else  // built without oneDNN's API

struct OneDnnTrunk::Impl {};

bool OneDnnTrunk::available() { return false; }

bool OneDnnTrunk::native(Precision precision) { return precision == Precision::kFloat32; }

OneDnnTrunk::OneDnnTrunk(TrunkDescription, Precision, ActivationRanges) {
  fail("this faceage was built without oneDNN (install libdnnl-dev and rebuild)");
}

OneDnnTrunk::~OneDnnTrunk() = default;

Precision OneDnnTrunk::precision() const { return Precision::kFloat32; }

TrunkOutput OneDnnTrunk::run(const torch::Tensor&, bool) { return {}; }

double OneDnnTrunk::multiply_adds(int64_t, int64_t) { return 0; }

void OneDnnTrunk::record_ranges(const torch::Tensor&, ActivationRanges&) {}

#endif

}  // namespace faceage::nn
