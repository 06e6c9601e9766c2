"""Images/s of each backbone in PyTorch eager: the twin of bench_backbones.cpp.

Forward (eval, no grad) and one training step (forward, LDL loss with sigma 2 and lambda 1,
backward, Adam), median of timed iterations after warm-up, in images/s and in images per
CPU-second (process CPU time, far less disturbed by other work on a shared machine);
prints the same table.
With --cpp PATH/TO/bench_backbones it runs the C++ benchmark for each row just before
measuring PyTorch, and prints both side by side with their ratio: the two alternate,
--rounds times per row, and each side's figure is the median over the rounds, so load
from other work hits both alike. Also each forward pass's GFLOP (convolutions and
linear layers, counted with hooks) and the GFLOP/s both sides reach (a training step
counted as 3 forward passes), to read against bench_gemm_peak.
PyTorch runs as users run it: NCHW float32 modules, eager, the C library's allocator.
Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "nn"))
from reference_backbones import build  # noqa: E402  (same modules the parity tests use)

ARCHITECTURES = ["resnet18", "resnet34", "resnet50", "seresnext50_32x4d", "vgg16_bn"]
NUM_AGES = 101


def ldl_loss(logits, ages, sigma=2.0, lam=1.0):
    """KL(Gaussian label || softmax) (batchmean) + lam * L1 of the expected age (paper §3.2)."""
    classes = torch.arange(NUM_AGES, dtype=torch.float32)
    target = torch.exp(-((classes[None, :] - ages[:, None]) ** 2) / (2 * sigma ** 2))
    target = target / target.sum(1, keepdim=True)
    log_p = torch.log_softmax(logits, 1)
    kl = torch.nn.functional.kl_div(log_p, target, reduction="batchmean")
    expected = (log_p.exp() * classes).sum(1)
    return kl + lam * (expected - ages).abs().mean()


def time_step(step, images, args):
    """Median wall and CPU (process, all threads) seconds per call after warm-up, as
    (images/s, images per CPU-second)."""
    for _ in range(args.warmup):
        step()
    wall, cpu = [], []
    for _ in range(args.iterations):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - start)
    return images / statistics.median(wall), images / statistics.median(cpu)


def forward_throughput(model, images, args):
    model.eval()

    def step():
        with torch.no_grad():
            model(images)
    return time_step(step, images.shape[0], args)


def train_throughput(model, images, args):
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    ages = torch.randint(0, NUM_AGES, (images.shape[0],)).float()

    def step():
        optimizer.zero_grad()
        ldl_loss(model(images), ages).backward()
        optimizer.step()
    return time_step(step, images.shape[0], args)


def forward_gflop(model, size):
    """GFLOP of one image's forward pass: 2 x multiply-adds of convolutions and linears."""
    total = [0]

    def count(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            total[0] += 2 * output.numel() * per_output
        elif isinstance(module, torch.nn.Linear):
            total[0] += 2 * output.numel() * module.in_features
    hooks = [m.register_forward_hook(count) for m in model.modules()
             if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for hook in hooks:
        hook.remove()
    return total[0] / 1e9


KEYS = ("forward_images_per_second", "train_images_per_second",
        "forward_images_per_cpu_second", "train_images_per_cpu_second")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbones", default=",".join(ARCHITECTURES))
    parser.add_argument("--sizes", default="224,112")
    parser.add_argument("--modes", default="forward,train")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate C++ and PyTorch this often per row; report medians")
    parser.add_argument("--inference", default="auto", help="C++ forward plan (bench_backbones)")
    parser.add_argument("--precision", default="float32", help="C++ forward precision")
    parser.add_argument("--memory-format", default="channels-last", help="C++ training layout")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--cpp", metavar="BENCH_BACKBONES",
                        help="also run this C++ benchmark per row; print both side by side")
    args = parser.parse_args()
    modes = args.modes.split(",")
    for name in args.backbones.split(","):
        if name not in ARCHITECTURES:
            parser.error(f"--backbones: '{name}' is unknown (known: {', '.join(ARCHITECTURES)})")

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if not args.json:
        print(f"PyTorch eager {torch.__version__}, {args.threads} threads, batch {args.batch}, "
              f"median of {args.iterations} after {args.warmup} warm-up; "
              f"load average {load_average()} at the start\n")
        if args.cpp:
            print(f"C++: --inference {args.inference} --precision {args.precision} "
                  f"--memory-format {args.memory_format}; medians of {args.rounds} rounds\n")
            print("| backbone | px | GFLOP/img | forward img/s C++ | PyTorch | ratio "
                  "| train img/s C++ | PyTorch | ratio | forward GFLOP/s C++ | PyTorch "
                  "| train GFLOP/s C++ | PyTorch |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        else:
            print("| backbone | px | GFLOP/img | forward img/s | train img/s | forward GFLOP/s "
                  "| train GFLOP/s |\n|---|---:|---:|---:|---:|---:|---:|")
    for name in args.backbones.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            model = build(name, vgg_dropout=0.5)  # torchvision's default dropout, as C++
            gflop = forward_gflop(model, size)
            cpp_rounds, py_rounds = [], []
            for _ in range(args.rounds):
                if args.cpp:
                    cpp_rounds.append(run_cpp(args, name, size))
                py_rounds.append(measure_pytorch(model, name, size, args, modes))
            del model
            py = median_row(py_rounds)
            cpp = median_row(cpp_rounds) if args.cpp else None
            for row in filter(None, (cpp, py)):
                row["gflop_per_image"] = gflop
            if args.json:
                for result in filter(None, (cpp, py)):
                    print(json.dumps(result), flush=True)
                continue
            print(table_row(name, size, gflop, cpp, py), flush=True)
    if not args.json:
        print(f"\nload average {load_average()} at the end")


def measure_pytorch(model, name, size, args, modes):
    images = torch.randn(args.batch, 3, size, size)
    forward = forward_throughput(model, images, args) if "forward" in modes else (0, 0)
    train = train_throughput(model, images, args) if "train" in modes else (0, 0)
    row = {"implementation": "pytorch", "backbone": name, "size": size, "batch": args.batch}
    row.update(zip(KEYS, (forward[0], train[0], forward[1], train[1])))
    return row


def median_row(rows):
    """The first row with each throughput replaced by its median over all rows."""
    merged = dict(rows[0])
    for key in KEYS:
        merged[key] = statistics.median(row[key] for row in rows)
    merged["rounds"] = len(rows)
    return merged


def table_row(name, size, gflop, cpp, py):
    def cell(value):
        return f"{value:.2f}" if value > 0 else "-"

    def ratio(a, b):
        return f"{a / b:.2f}x" if a > 0 and b > 0 else "-"
    fwd, trn = "forward_images_per_second", "train_images_per_second"
    if cpp is None:
        return (f"| {name} | {size} | {gflop:.2f} | {cell(py[fwd])} | {cell(py[trn])} "
                f"| {cell(py[fwd] * gflop)} | {cell(py[trn] * 3 * gflop)} |")
    return (f"| {name} | {size} | {gflop:.2f} | {cell(cpp[fwd])} | {cell(py[fwd])} "
            f"| {ratio(cpp[fwd], py[fwd])} | {cell(cpp[trn])} | {cell(py[trn])} "
            f"| {ratio(cpp[trn], py[trn])} | {cell(cpp[fwd] * gflop)} | {cell(py[fwd] * gflop)} "
            f"| {cell(cpp[trn] * 3 * gflop)} | {cell(py[trn] * 3 * gflop)} |")


def load_average():
    """The 1-, 5- and 15-minute load: other work on the machine skews every number."""
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def run_cpp(args, name, size):
    """One row of the C++ benchmark, with the same settings, as its JSON object."""
    command = [args.cpp, "--json", "--backbones", name, "--sizes", str(size),
               "--modes", args.modes, "--batch", str(args.batch),
               "--iterations", str(args.iterations), "--warmup", str(args.warmup),
               "--threads", str(args.threads), "--inference", args.inference,
               "--precision", args.precision, "--memory-format", args.memory_format]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])

if __name__ == "__main__":
    main()
