"""Images/s of each backbone in faceage (bench_backbones, forward) against ONNX Runtime
(npm onnxruntime-node, CPU provider, every graph optimisation) running the same network,
exported by faceage's own ONNX export (bench_backbones --export-onnx: the same random
weights faceage times).

The two alternate: for each row, --rounds times faceage (once per --precisions entry)
then ONNX Runtime (float32), each as its own process with the same threads; each figure is
the median over the rounds, so load from other work hits all alike. Prints a table with the
ratio faceage / ONNX Runtime and the achieved GFLOP/s of faceage's oneDNN chain as a share
of bench_gemm_peak's peak (float32's for float32, int8's for int8). int8 rows calibrate on
random images (right for timing, not for accuracy).
Needs scripts/fetch-onnxruntime.sh and a build with ONNX export (libonnx-dev).

  /usr/bin/python3 bench/bench_onnxruntime.py [--rows resnet18:96:1,...] [--precisions float32,int8]
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
    parser.add_argument("--precisions", default="float32",
                        help="faceage's precisions, comma-separated (float32, int8, bfloat16)")
    parser.add_argument("--peak", default=os.path.join(ROOT, "build", "bin", "bench_gemm_peak"),
                        help="bench_gemm_peak, for the GFLOP/s share ('' to leave it out)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    args = parser.parse_args()

    timer = os.path.join(ROOT, "bench", "bench_onnxruntime.mjs")
    precisions = args.precisions.split(",")
    peaks = {}
    if args.peak:
        measured = run_json([args.peak, "--sizes", "1024", "2048", "--repeats", "5", "--json"])
        peaks = {"float32": measured["peak_gflops"], "int8": measured.get("int8_peak_gops", 0)}
    if not args.json:
        print(f"faceage (bench_backbones, --inference {args.inference}) against ONNX Runtime "
              f"(onnxruntime-node, CPU, float32), {args.threads} threads, median of "
              f"{args.rounds} alternating rounds, img/s; GFLOP/s of faceage's chain and its "
              f"share of the peak (float32 {peaks.get('float32', 0):.0f} GFLOP/s, int8 "
              f"{peaks.get('int8', 0):.0f} GOP/s)\n")
        print("| network | px | batch | " + " | ".join(f"faceage {p}" for p in precisions) +
              " | ONNX Runtime | " + " | ".join(f"ratio {p}" for p in precisions) + " | " +
              " | ".join(f"GFLOP/s {p} (peak %)" for p in precisions) + " |")
        print("|---|---:|---:|" + "---:|" * (3 * len(precisions) + 1))
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
            ours = {p: [] for p in precisions}
            gflops = {p: [] for p in precisions}
            theirs = []
            for _ in range(args.rounds):
                for precision in precisions:
                    result = run_json(faceage_command + ["--precision", precision])
                    ours[precision].append(result["forward_images_per_second"])
                    gflops[precision].append(result.get("forward_gflops", 0))
                theirs.append(run_json(ort_command)["images_per_second"])
            b = statistics.median(theirs)
            a = {p: statistics.median(ours[p]) for p in precisions}
            g = {p: statistics.median(gflops[p]) for p in precisions}
            if args.json:
                print(json.dumps({"backbone": backbone, "size": int(size), "batch": int(batch),
                                  "faceage": a, "onnxruntime": b,
                                  "ratio": {p: a[p] / b for p in precisions},
                                  "gflops": g, "peaks": peaks, "faceage_rounds": ours,
                                  "onnxruntime_rounds": theirs}), flush=True)
            else:
                def share(p):
                    peak = peaks.get("int8" if p == "int8" else "float32", 0)
                    if not g[p]:
                        return "-"
                    return f"{g[p]:.0f} ({100 * g[p] / peak:.0f}%)" if peak else f"{g[p]:.0f}"
                print(f"| {backbone} | {size} | {batch} | " +
                      " | ".join(f"{a[p]:.1f}" if a[p] else "-" for p in precisions) +
                      f" | {b:.1f} | " +
                      " | ".join(f"{a[p] / b:.2f}x" if a[p] else "-" for p in precisions) +
                      " | " + " | ".join(share(p) for p in precisions) + " |", flush=True)


if __name__ == "__main__":
    main()
