#!/usr/bin/python3
"""Prints docs/model-card.md's accuracy tables (markdown) from what
scripts/evaluate-default-model.sh writes to the run's measure/ folder: the `faceage eval --json`
reports (one per part, each with its per-dataset `sets`) and the `range-accuracy.py` summaries
of photos run through `faceage predict`.

  scripts/model-card-tables.py [runs/utkface-aaf/face-resnet29-150-stage2/measure]
"""
import json
import re
import sys
from pathlib import Path

measure = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/utkface-aaf/face-resnet29-150-stage2/measure")


def report(stem):  # e.g. "eval-validation", "baseline-eval-test"
    return json.loads((measure / f"{stem}.json").read_text())


def per_set(r):  # {"all": the whole part, "<dataset>": its share}
    return {"all": r, **r.get("sets", {})}


def band_key(band):  # "0-2" < "3-9" < "10-19" < ... < "70+"
    return int(band.rstrip("+").split("-")[0])


def percent(value):
    return "–" if value is None else f"{value:.1f}%"


def overall_table():
    rows = [("validation (fp16, shipped)", "eval-validation"), ("validation (fp32)", "eval-validation-fp32"),
            ("validation, no flip averaging", "eval-validation-flip-false"),
            ("test (never used in training or selection)", "eval-test"),
            ("previous default model (ResNet-18, UTKFace only): validation", "baseline-eval-validation"),
            ("previous default model: test", "baseline-eval-test")]
    print("| model / part | data | faces | MAE | CA(3) | CA(5) | CA(7) | gender acc. | ethnicity acc. |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, name in rows:
        for data, r in per_set(report(name)).items():
            print(f"| {label} | {data} | {r['count']} | {r['mae']:.2f} | {r['ca3']:.1f}% | {r['ca5']:.1f}% "
                  f"| {r['ca7']:.1f}% | {percent(r['gender_accuracy'])} | {percent(r['ethnicity_accuracy'])} |")


def group_tables(title, key, order, datasets):
    validation, test = per_set(report("eval-validation")), per_set(report("eval-test"))
    baseline = per_set(report("baseline-eval-validation"))
    for data in datasets:
        if not validation[data][key]:
            continue
        print(f"\n{data}, by {title} (signed error = mean of predicted − true age):\n")
        print(f"| {title} | validation faces | MAE | signed error | test faces | MAE | signed error "
              "| previous model, validation MAE | its signed error |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for group in sorted(validation[data][key], key=order):
            v = validation[data][key][group]
            t = test[data][key].get(group, {"count": 0, "mae": float("nan"), "mean_signed_error": float("nan")})
            b = baseline[data][key].get(group, {"mae": float("nan"), "mean_signed_error": float("nan")})
            print(f"| {group} | {v['count']} | {v['mae']:.2f} | {v['mean_signed_error']:+.1f} | {t['count']} "
                  f"| {t['mae']:.2f} | {t['mean_signed_error']:+.1f} | {b['mae']:.2f} | {b['mean_signed_error']:+.1f} |")


def photo_summary(name):
    """The headline figures of a range-accuracy.py summary."""
    text = (measure / f"{name}.txt").read_text()
    found = re.search(r"photos (\d+), face found in (\d+) \(([\d.]+)%\)", text)
    ranges = re.search(r"age range right: ([\d.]+)%, right or neighbouring: ([\d.]+)%", text)
    mae = re.search(r"MAE ([\d.]+) years", text)
    return found.groups(), ranges.groups(), mae.group(1) if mae else "–"


def photos_table():
    print("\n| photos through `faceage predict` | model | photos | face found | range right | right or next | MAE |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, name in [("FairFace sample (`../shared/data/fairface`)", "fairface"),
                        ("All-Age-Faces validation photos", "aaf-validation")]:
        for model, prefix in [("this model", ""), ("previous default model", "baseline-")]:
            (photos, found, share), (right, next_), mae = photo_summary(prefix + name)
            print(f"| {label} | {model} | {photos} | {found} ({share}%) | {right}% | {next_}% | {mae} |")
    print("\nPer age range, this model (range-accuracy.py's lines):\n")
    for name in ["fairface", "aaf-validation"]:
        lines = [l for l in (measure / f"{name}.txt").read_text().splitlines() if "photos," in l and "%" in l
                 and "right" in l]
        print(f"```\n{name}:\n" + "\n".join(lines) + "\n```")


overall_table()
group_tables("age band", "mae_by_age_band", band_key, ["utkface", "allagefaces"])
group_tables("gender", "mae_by_gender", str, ["utkface", "allagefaces"])
group_tables("ethnicity", "mae_by_ethnicity", str, ["utkface"])
photos_table()
