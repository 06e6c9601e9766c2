"""Images/s of each backbone in faceage (bench_backbones, forward) against ONNX Runtime
(npm onnxruntime-node, CPU provider, every graph optimisation) running the same network,
exported by faceage's own ONNX export (bench_backbones --export-onnx: the same random
weights faceage times).

The two alternate: for each row, --rounds times faceage then ONNX Runtime, each as its own
process with the same threads; each side's figure is the median over the rounds, so load
from other work hits both alike. Prints a table with the ratio faceage / ONNX Runtime.
Needs scripts/fetch-onnxruntime.sh and a build with ONNX export (libonnx-dev).

  /usr/bin/python3 bench/bench_onnxruntime.py [--rows resnet18:96:1,resnet18:96:32,...]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# The rows of issue 20's table, and the default model's own network.
DEFAULT_ROWS = ("resnet18:96:1,resnet18:96:32,seresnext50_32x4d:224:1,seresnext50_32x4d:224:32,"
                "resnet50:224:1,resnet50:224:32,face_resnet29:150:1,face_resnet29:150:32")


def run_json(command):
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=DEFAULT_ROWS,
                        help="BACKBONE:SIZE:BATCH,... (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "bench_backbones"))
    parser.add_argument("--ort", default=os.path.join(ROOT, "third_party", "downloads", "onnxruntime"))
    parser.add_argument("--inference", default="auto", help="faceage's plan (nn/inference_plan.h)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    args = parser.parse_args()

    timer = os.path.join(ROOT, "bench", "bench_onnxruntime.mjs")
    if not args.json:
        print(f"faceage (bench_backbones, --inference {args.inference}) against ONNX Runtime "
              f"(onnxruntime-node, CPU), {args.threads} threads, median of {args.rounds} "
              f"alternating rounds, img/s\n")
        print("| network | px | batch | faceage | ONNX Runtime | ratio | faceage rounds | ONNX Runtime rounds |")
        print("|---|---:|---:|---:|---:|---:|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-onnxruntime-") as folder:
        for row in args.rows.split(","):
            backbone, size, batch = row.split(":")
            # Small batches time more calls: each run lasts seconds, not milliseconds.
            iterations, warmup = ("20", "3") if int(batch) < 8 else ("5", "1")
            faceage_command = [args.bench, "--backbones", backbone, "--sizes", size,
                               "--batch", batch, "--modes", "forward", "--iterations", iterations,
                               "--warmup", warmup, "--threads", str(args.threads),
                               "--inference", args.inference, "--json"]
            model = os.path.join(folder, f"{backbone}-{size}.onnx")
            if not os.path.exists(model):
                subprocess.run(faceage_command[:1] + ["--backbones", backbone, "--sizes", size,
                                                      "--batch", "1", "--modes", "forward",
                                                      "--iterations", "1", "--warmup", "0",
                                                      "--export-onnx", folder, "--json"],
                               check=True, capture_output=True)
            ort_command = ["node", timer, args.ort, model, batch, size, iterations, warmup,
                           str(args.threads)]
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(run_json(faceage_command)["forward_images_per_second"])
                theirs.append(run_json(ort_command)["images_per_second"])
            a, b = statistics.median(ours), statistics.median(theirs)
            if args.json:
                print(json.dumps({"backbone": backbone, "size": int(size), "batch": int(batch),
                                  "faceage": a, "onnxruntime": b, "ratio": a / b,
                                  "faceage_rounds": ours, "onnxruntime_rounds": theirs}), flush=True)
            else:
                print(f"| {backbone} | {size} | {batch} | {a:.1f} | {b:.1f} | {a / b:.2f}x | "
                      f"{', '.join(f'{x:.0f}' for x in ours)} | "
                      f"{', '.join(f'{x:.0f}' for x in theirs)} |", flush=True)


if __name__ == "__main__":
    main()
