#!/usr/bin/env bash
# Every speed figure of docs/performance.md (issue 7), in one run on a quiet machine:
# the GEMM peak, model inference and training against PyTorch eager (alternating rounds,
# medians, ratios, GFLOP/s), the allocator's share, the loader, and end-to-end predict
# before/after. Output: runs/speed/*.txt (and the console). About 60 minutes on 2 cores.
#   scripts/measure-speed.sh [--quick]   (--quick: one round, fewer iterations)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin
out=runs/speed
data="$(cd ../shared/data && pwd)"  # real photos: FairFace, UTKFace
mkdir -p "$out"
rounds=3
if [[ "${1:-}" == "--quick" ]]; then rounds=1; fi
py=/usr/bin/python3
versus() { "$py" bench/bench_backbones.py --cpp "$bin/bench_backbones" --rounds "$rounds" "$@"; }
# glibc settings equivalent to faceage's keep_freed_memory_for_reuse(), for PyTorch.
reuse_env=(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=67108864)

echo "== GEMM peak" | tee "$out/gemm.txt"
"$bin/bench_gemm_peak" --sizes 1024 2048 4096 --repeats 5 | tee -a "$out/gemm.txt"

echo "== inference, float32 (C++ auto plan) against PyTorch eager" | tee "$out/inference.txt"
for batch in 32 1; do
  iterations=$(( batch == 1 ? 20 : 3 ))
  versus --backbones seresnext50_32x4d --sizes 224 --modes forward --batch "$batch" \
    --iterations "$iterations" | tee -a "$out/inference.txt"
  versus --backbones resnet18 --sizes 96 --modes forward --batch "$batch" \
    --iterations $(( iterations * 5 )) | tee -a "$out/inference.txt"
done

echo "== inference against ONNX Runtime (the same networks through faceage's ONNX export)," \
  "faceage in float32 and int8, GFLOP/s against the peak" | tee "$out/onnxruntime.txt"
scripts/fetch-onnxruntime.sh
"$py" bench/bench_onnxruntime.py --bench "$bin/bench_backbones" --peak "$bin/bench_gemm_peak" \
  --rounds "$rounds" --precisions float32,int8 | tee -a "$out/onnxruntime.txt"

echo "== inference, C++ bfloat16 (the oneDNN chain; slower than float32 here)" \
  | tee "$out/inference-bf16.txt"
for batch in 32 1; do
  "$bin/bench_backbones" --backbones seresnext50_32x4d,resnet18,face_resnet29 --sizes 224,96,150 \
    --modes forward --batch "$batch" --iterations 10 --precision bfloat16 | tee -a "$out/inference-bf16.txt"
done

echo "== the fused oneDNN chain (auto) against LibTorch's oneDNN layout, alternating" \
  | tee "$out/chain.txt"
for i in $(seq "$rounds"); do
  for plan in mkldnn onednn; do
    for batch in 1 32; do
      "$bin/bench_backbones" --backbones seresnext50_32x4d,resnet18 --sizes 224,96 \
        --modes forward --batch "$batch" --iterations 10 --inference "$plan" --json \
        | tee -a "$out/chain.txt"
    done
  done
done

echo "== inference, the C++ plans one by one (batch 32 and 1)" | tee "$out/plans.txt"
for plan in plain channels-last mkldnn onednn; do
  for batch in 32 1; do
    FACEAGE_KEEP_FREED_MEMORY=0 "$bin/bench_backbones" --backbones resnet18 --sizes 96 \
      --modes forward --batch "$batch" --iterations 20 --inference "$plan" --json | tee -a "$out/plans.txt"
    "$bin/bench_backbones" --backbones resnet18 --sizes 96 --modes forward --batch "$batch" \
      --iterations 20 --inference "$plan" --json | tee -a "$out/plans.txt"
  done
done

echo "== PyTorch eager with the same allocator settings" | tee "$out/pytorch-reuse.txt"
for batch in 32 1; do
  env "${reuse_env[@]}" "$py" bench/bench_backbones.py --backbones seresnext50_32x4d,resnet18 \
    --sizes 224,96 --modes forward --batch "$batch" --iterations 5 | tee -a "$out/pytorch-reuse.txt"
done

echo "== training steps (Adam, LDL), C++ channels-last against PyTorch eager" | tee "$out/train.txt"
versus --backbones resnet18 --sizes 96 --modes train --batch 64 --iterations 5 | tee -a "$out/train.txt"
versus --backbones seresnext50_32x4d --sizes 224 --modes train --batch 32 --iterations 2 \
  | tee -a "$out/train.txt"

echo "== loader (UTKFace, decode + crop + augment + batch)" | tee "$out/loader.txt"
"$bin/bench_loader" --sizes 96,224 --threads 1,2 | tee -a "$out/loader.txt"

echo "== end-to-end predict: session 5 (searched second pass, OpenBLAS's own threads)," \
  "session 6 (LibTorch's networks) and now" | tee "$out/predict.txt"
# UTKFace's 200 px crops: single-face photos. Every 50th file, as docs/performance.md.
utk="$(mktemp -d)"
ls "$data/utkface" | awk 'NR % 50 == 0' | while read -r f; do ln -s "$data/utkface/$f" "$utk/$f"; done
for i in $(seq "$rounds"); do
  for photos in "$data/fairface" "$utk"; do
    OPENBLAS_NUM_THREADS=2 "$bin/bench_predict" --data "$photos" --count 96 --batch 16 --repeats 1 \
      --second-pass detect | tee -a "$out/predict.txt"
    "$bin/bench_predict" --data "$photos" --count 96 --batch 16 --repeats 1 \
      --libtorch-networks --inference mkldnn | tee -a "$out/predict.txt"  # session 6
    "$bin/bench_predict" --data "$photos" --count 96 --batch 16 --repeats 1 | tee -a "$out/predict.txt"
  done
done
rm -r "$utk"
