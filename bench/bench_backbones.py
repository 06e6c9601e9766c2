"""Images/s of each backbone in PyTorch eager: the twin of bench_backbones.cpp.

Forward (eval, no grad) and one training step (forward, LDL loss with sigma 2 and lambda 1,
backward, Adam), median of timed iterations after warm-up, in images/s and in images per
CPU-second (process CPU time, far less disturbed by other work on a shared machine);
prints the same table.
With --cpp PATH/TO/bench_backbones it runs the C++ benchmark for each row just before
measuring PyTorch, and prints both side by side: rows alternate between the two, so a
machine shared with other work slows both alike.
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
            print("| backbone | px | forward img/s C++ | PyTorch | train img/s C++ | PyTorch "
                  "| forward img/CPU-s C++ | PyTorch | train img/CPU-s C++ | PyTorch |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        else:
            print("| backbone | px | forward img/s | train img/s | forward img/CPU-s "
                  "| train img/CPU-s |\n|---|---:|---:|---:|---:|---:|")
    for name in args.backbones.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            cpp = run_cpp(args, name, size) if args.cpp else None
            model = build(name, vgg_dropout=0.5)  # torchvision's default dropout, as C++
            images = torch.randn(args.batch, 3, size, size)
            forward = forward_throughput(model, images, args) if "forward" in modes else (0, 0)
            train = train_throughput(model, images, args) if "train" in modes else (0, 0)
            del model
            row = {"implementation": "pytorch", "backbone": name, "size": size,
                   "batch": args.batch}
            row.update(zip(KEYS, (forward[0], train[0], forward[1], train[1])))
            if args.json:
                for result in filter(None, (cpp, row)):
                    print(json.dumps(result), flush=True)
                continue
            values = [v for key in KEYS for v in ((cpp[key], row[key]) if cpp else (row[key],))]
            cells = " | ".join(f"{v:.2f}" if v > 0 else "-" for v in values)
            print(f"| {name} | {size} | {cells} |", flush=True)
    if not args.json:
        print(f"\nload average {load_average()} at the end")


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
               "--threads", str(args.threads)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])

if __name__ == "__main__":
    main()
