#!/usr/bin/env python3
"""Throughput of faceage on a quiet CPU and on one kept busy by other work.

Starts its own background load (one busy process per usable CPU, stopped by this script),
and measures, for each faceage binary given (e.g. the build before a change and after):
  predict   photos/s on 30 FairFace photos (the summary line's pictures/s)
  train     img/s of a few batches of the smoke config (ResNet-18, 64 px)
  serve     requests/s of POST /v1/age, one client, 20 photos
with and without the load, alternating binaries so that both meet the same machine.
Prints one table; "busy/quiet" is the share of the quiet figure kept under load.

  bench/bench_under_load.py --binary before=/work/main/build/bin/faceage \\
                            --binary after=build/bin/faceage
Only 127.0.0.1 is ever contacted.
"""
import argparse
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))


def busy_load(count):
    """`count` processes spinning on a CPU each; returns them (stop with stop_load)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def stop_load(processes):
    for p in processes:
        p.kill()
    for p in processes:
        p.wait()


def photo_folder(count):
    folder = tempfile.mkdtemp(prefix="bench_under_load_")
    photos = sorted(f for f in os.listdir(os.path.join(DATA, "fairface")) if f.endswith(".jpg"))
    for name in photos[:count]:
        os.symlink(os.path.join(DATA, "fairface", name), os.path.join(folder, name))
    return folder


def predict_rate(binary, folder):
    run = subprocess.run([binary, "predict", folder, "-o", os.devnull],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    found = re.findall(r"([0-9.]+) pictures/s", run.stderr)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"predict failed ({run.returncode}): {run.stderr[-500:]}")
    return float(found[-1])


def train_rate(binary, batches):
    out = tempfile.mkdtemp(prefix="bench_under_load_train_")
    run = subprocess.run(
        [binary, "train", "--config", os.path.join(ROOT, "configs/utkface/smoke-resnet18-64.toml"),
         "--set", f"data.path={os.path.join(DATA, 'utkface')}", "--set", "data.max_samples=400",
         "--set", "train.epochs=1", "--set", f"train.max_batches_per_epoch={batches}",
         "--set", f"train.output_dir={out}"],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    found = re.findall(r"\(([0-9.]+) img/s\)", run.stdout + run.stderr)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"train failed ({run.returncode}): {(run.stdout + run.stderr)[-500:]}")
    return float(found[-1])


def start_server(binary, extra=()):
    """`faceage serve --port 0`; returns (process, port) once it listens."""
    log = tempfile.NamedTemporaryFile(prefix="bench_serve_", suffix=".log", delete=False)
    process = subprocess.Popen([binary, "serve", "--port", "0", *extra], stdout=log, stderr=log, cwd=ROOT)
    for _ in range(1200):
        with open(log.name) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        if m:
            return process, int(m.group(1))
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {open(log.name).read()[-500:]}")
        time.sleep(0.1)
    raise RuntimeError("serve did not start")


def stop_server(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def post_photo(port, body, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("POST", "/v1/age", body, {"Content-Type": "image/jpeg"})
    reply = connection.getresponse()
    reply.read()
    connection.close()
    return reply.status


def serve_rate(binary, photos, requests):
    process, port = start_server(binary)
    try:
        bodies = [open(os.path.join(photos, name), "rb").read() for name in sorted(os.listdir(photos))]
        post_photo(port, bodies[0])  # warm-up: the thread pools exist
        start = time.monotonic()
        for i in range(requests):
            if post_photo(port, bodies[i % len(bodies)]) != 200:
                raise RuntimeError("serve answered an error")
        return requests / (time.monotonic() - start)
    finally:
        stop_server(process)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="NAME=PATH of a faceage command")
    parser.add_argument("--load", type=int, default=len(os.sched_getaffinity(0)),
                        help="busy background processes (default: one per usable CPU)")
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--train-batches", type=int, default=6)
    parser.add_argument("--serve-requests", type=int, default=20)
    parser.add_argument("--skip", action="append", default=[], choices=["predict", "train", "serve"])
    args = parser.parse_args()
    binaries = [(name, os.path.abspath(path)) for name, path in (b.split("=", 1) for b in args.binary)]
    folder = photo_folder(args.photos)
    tasks = [t for t in ("predict", "train", "serve") if t not in args.skip]
    measure = {"predict": lambda b: predict_rate(b, folder),
               "train": lambda b: train_rate(b, args.train_batches),
               "serve": lambda b: serve_rate(b, folder, args.serve_requests)}
    results = {}
    print(f"load average before: {os.getloadavg()[0]:.2f}; background load: {args.load} busy processes",
          flush=True)
    for condition in ("quiet", "busy"):
        load = busy_load(args.load) if condition == "busy" else []
        try:
            time.sleep(1 if load else 0)
            for task in tasks:
                for name, path in binaries:  # alternating: both meet the same moment
                    value = measure[task](path)
                    results[(name, condition, task)] = value
                    print(f"  {name:8s} {condition:5s} {task:8s} {value:8.2f}", flush=True)
        finally:
            stop_load(load)
    units = {"predict": "photos/s", "train": "img/s", "serve": "req/s"}
    print()
    print("| binary | task | quiet | busy (one busy process per CPU) | busy/quiet |")
    print("|---|---|---:|---:|---:|")
    for name, _ in binaries:
        for task in tasks:
            quiet, busy = results[(name, "quiet", task)], results[(name, "busy", task)]
            print(f"| {name} | {task} ({units[task]}) | {quiet:.2f} | {busy:.2f} | {100 * busy / quiet:.0f}% |")


if __name__ == "__main__":
    main()
