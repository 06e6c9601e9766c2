#!/usr/bin/python3
"""Prints docs/model-card.md's accuracy tables (markdown) from the `faceage eval --json`
reports that scripts/evaluate-default-model.sh writes to runs/default-model-v3-finetune/measure/."""
import json
import sys
from pathlib import Path

measure = Path(sys.argv[1] if len(sys.argv) > 1 else "runs/default-model-v3-finetune/measure")


def report(name):
    return json.loads((measure / f"eval-{name}.json").read_text())


def band_key(band):  # "0-2" < "3-9" < "10-19" < ... < "70+"
    return int(band.rstrip("+").split("-")[0])


rows = [
    ("validation (fp16, shipped)", "validation"),
    ("validation (fp32)", "validation-fp32"),
    ("test (never used in training)", "test"),
    ("validation, stage 3 best epoch alone, no flip", "validation-stage3-flip-false"),
    ("validation, stage 3 best epoch alone, with flip", "validation-stage3-flip-true"),
    ("validation, averaged weights, no flip", "validation-averaged-flip-false"),
]
print("| model / split | faces | MAE | CA(3) | CA(5) | CA(7) | gender acc. | ethnicity acc. |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for label, name in rows:
    r = report(name)
    print(f"| {label} | {r['count']} | {r['mae']:.2f} | {r['ca3']:.1f}% | {r['ca5']:.1f}% "
          f"| {r['ca7']:.1f}% | {r['gender_accuracy']:.1f}% | {r['ethnicity_accuracy']:.1f}% |")

validation, test = report("validation"), report("test")
for title, key, order in [("age band", "mae_by_age_band", band_key),
                          ("gender", "mae_by_gender", str), ("ethnicity", "mae_by_ethnicity", str)]:
    print(f"\n| {title} | validation faces | MAE | test faces | MAE |")
    print("|---|---:|---:|---:|---:|")
    for group in sorted(validation[key], key=order):
        v, t = validation[key][group], test[key].get(group, {"count": 0, "mae": float("nan")})
        print(f"| {group} | {v['count']} | {v['mae']:.2f} | {t['count']} | {t['mae']:.2f} |")
