#!/usr/bin/env bash
# The paper's experiments (Tables 1-5, plus σ and λ) on UTKFace + All-Age-Faces: issue 22,
# docs/paper-results.md. Each entry of the matrix below is one configuration of
# configs/paper/utkface-aaf/ and one seed. For each, in the order listed:
#   1. train in runs/paper/utkface-aaf/<run>/ (rerunning resumes from its last checkpoint);
#   2. measure its best epoch once, into <run>/measure/: `faceage eval` on each set's test
#      part, `faceage predict` on the FairFace photos and their age-range accuracy;
#   3. copy what the doc cites into docs/paper-results/<run>/ (metrics.jsonl, the
#      measurements, run.json with the command, commit and machine; curves.png for
#      Tables 1-2): small files to commit. A run with docs/paper-results/<run>/run.json is finished and skipped.
# Runs that share a table share the split (each set's own seed), the epochs and the recipe.
#
#   scripts/run-paper-experiments.sh                 every unfinished run, in order
#   scripts/run-paper-experiments.sh t1 t2-ldl-s2    only runs whose name starts so
#   scripts/run-paper-experiments.sh --list          the matrix and what is finished
# Then scripts/paper-results-tables.py prints the tables of docs/paper-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FACEAGE_BIN:-build/bin/faceage}"
data="${FACEAGE_DATA_DIR:-../shared/data}"
configs=configs/paper/utkface-aaf
results=docs/paper-results

# "<config> <seed>", most decisive first: the rows that decide Tables 1-3 get two seeds.
matrix=(
  "t2-ldl 1" "t1-classification 1" "t3-ldl-augment 1"
  "t2-ldl 2" "t1-classification 2" "t3-ldl-augment 2"
  "t4-ldl-augment-margin20 1" "t4-ldl-augment-margin40 1"
  "t4-ldl-margin20 1" "t4-ldl-margin40 1"
  "t5-ldl-augment-margin20-multitask 1"
  "t4-ldl-augment-margin20 2" "t5-ldl-augment-margin20-multitask 2"
  "ldl-sigma1 1" "ldl-sigma3 1" "ldl-lambda0 1"
  "ldl-lambda0 2"  # λ = 0 was 0.16 behind on test but ahead on validation: a second seed
  # Tables 1-2 across the paper's backbones: 64 px, from scratch (backbones/base-64px.toml).
  "backbones/seresnext50-ldl 1" "backbones/seresnext50-classification 1"
  "backbones/resnet50-ldl 1" "backbones/resnet50-classification 1"
  "backbones/vgg16-bn-ldl 1"
  # Runs from scratch vary from seed to seed as the fine-tuned ones need not: a second seed
  # of the cheaper pairs measures that setting's own noise (VGG16-BN's: 2.5 hours a run).
  "backbones/resnet50-ldl 2" "backbones/resnet50-classification 2"
  # About 2 hours of training on a quiet machine: a session that starts it right after
  # building finishes it, where runs/ (its checkpoint) does not survive into the next.
  "backbones/vgg16-bn-classification 1"
  "backbones/seresnext50-ldl 2" "backbones/seresnext50-classification 2"
)

run_name() { local config="$1"; echo "${config//\//-}-s$2"; }  # backbones/x -> backbones-x

selected() {  # run name, patterns...
  local name="$1" pattern
  shift
  [[ $# -eq 0 ]] && return 0
  for pattern in "$@"; do [[ "$name" == "$pattern"* ]] && return 0; done
  return 1
}

if [[ "${1:-}" == "--list" ]]; then
  for entry in "${matrix[@]}"; do
    name=$(run_name $entry)
    state=waiting
    [[ -e "runs/paper/utkface-aaf/$name/last.safetensors" ]] && state=started
    [[ -e "$results/$name/run.json" ]] && state=finished
    printf '%-42s %s\n' "$name" "$state"
  done
  exit 0
fi

measure() {  # config, seed, run folder
  local out="$3/measure" model="$3/best.safetensors"
  mkdir -p "$out"
  "$bin" eval --model "$model" --config "$1" --set "train.seed=$2" --part test --json \
    >"$out/test.json"
  "$bin" predict "$data/fairface" --model "$model" -o "$out/fairface.jsonl" \
    2>"$out/fairface.log" || true
  scripts/range-accuracy.py "$out/fairface.jsonl" --fairface "$data/fairface/labels.json" --json \
    >"$out/fairface.json"
}

prepared=false
for entry in "${matrix[@]}"; do
  read -r config seed <<<"$entry"
  name=$(run_name "$config" "$seed")
  selected "$name" "$@" || continue
  [[ -e "$results/$name/run.json" ]] && { echo "$name: finished, skipped"; continue; }
  $prepared || { scripts/prepare-utkface-aaf.sh; prepared=true; }
  run="runs/paper/utkface-aaf/$name"
  mkdir -p "$run"
  command=("$bin" train --config "$configs/$config.toml" --set "train.seed=$seed"
           --set "train.output_dir=$run")
  echo "$name: training ($(date -u +%H:%M))"
  nice -n 10 "${command[@]}" >>"$run/train.log" 2>&1
  echo "$name: measuring"
  measure "$configs/$config.toml" "$seed" "$run"
  mkdir -p "$results/$name"
  cp "$run/metrics.jsonl" "$run/measure/test.json" "$run/measure/fairface.json" "$results/$name/"
  # The curves the doc shows (classification against LDL); every run keeps its own in runs/.
  [[ "$config" == t1-* || "$config" == t2-* ]] && cp "$run/curves.png" "$results/$name/"
  # metrics.jsonl holds each epoch's seconds; run.json says what made the run, and where.
  # "binary" is the build that trained it ("faceage 0.1.0 (commit ...)"); "commit" is the
  # checkout the run finished in.
  /usr/bin/python3 - "$results/$name/run.json" "$config" "$seed" "${command[*]}" \
    "$("$bin" --version)" <<'EOF'
import json, os, subprocess, sys
path, config, seed, command, binary = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
json.dump({"config": f"configs/paper/utkface-aaf/{config}.toml", "seed": int(seed),
           "command": command,
           "machine": f"{cpu}, {os.cpu_count()} cores", "binary": binary, "commit": commit},
          open(path, "w"), indent=1)
EOF
  echo "$name: done; $results/$name/"
done

# The paper's Figures 11-12: classification's validation loss against LDL's, by epoch.
pairs=()
for seed in 1 2; do
  for config in t1-classification t2-ldl; do
    [[ -e "$results/$config-s$seed/run.json" ]] && pairs+=("$results/$config-s$seed")
  done
done
if [[ ${#pairs[@]} -ge 2 ]]; then
  "$bin" curves "${pairs[@]}" --relative -o "$results/t1-t2-curves.png"
fi
# The same figure for each backbone at 64 px, labelled "ResNet-50, LDL" and so on.
pairs=() labels=()
for backbone in seresnext50:SE-ResNeXt-50 resnet50:ResNet-50 vgg16-bn:VGG16-BN; do
  for loss in classification ldl; do
    run="$results/backbones-${backbone%%:*}-$loss-s1"
    label="${backbone#*:}, $([[ $loss == ldl ]] && echo LDL || echo classification)"
    [[ -e "$run/run.json" ]] && pairs+=("$run") && labels+=(--label "$label")
  done
done
if [[ ${#pairs[@]} -ge 2 ]]; then
  "$bin" curves "${pairs[@]}" "${labels[@]}" --relative -o "$results/backbones-curves.png"
fi

