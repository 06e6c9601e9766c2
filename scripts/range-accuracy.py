#!/usr/bin/python3
"""Detection rate and age-range accuracy of `faceage predict` output.

Ranges are FairFace's: 0-2, 3-9, 10-19, 20-29, 30-39, 40-49, 50-59, 60-69, 70+. A photo
counts as detected when predict found a face; the face scored is the one nearest the
photo's centre (FairFace centres the labelled face). "exact" = predicted age inside the
labelled range, "within one" = inside it or a neighbouring range.

  scripts/range-accuracy.py predictions.jsonl --fairface ../shared/data/fairface/labels.json
  scripts/range-accuracy.py predictions.jsonl --csv runs/default-model/validation.csv
"""
import argparse
import csv
import json
import os
import sys

RANGES = [(0, 2), (3, 9), (10, 19), (20, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 200)]
NAMES = ["0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+"]


def range_of(age):
    """Index of the range holding an age; predicted ages are real numbers, so a range
    [a, b] holds [a, b + 1)."""
    for i, (low, high) in enumerate(RANGES):
        if age < high + 1:
            return i
    return len(RANGES) - 1


def read_labels(args):
    labels, ages = {}, {}  # file name -> range index; file name -> exact age (CSV only)
    if args.fairface:
        for row in json.load(open(args.fairface)):
            labels[row["filename"]] = NAMES.index(row["age"])
    else:
        with open(args.csv, newline="") as f:
            for row in csv.DictReader(f):
                name = os.path.basename(row["photo"])
                ages[name] = float(row["age"])
                labels[name] = range_of(ages[name])
    return labels, ages


def central_face(line):
    cx, cy = line["width"] / 2, line["height"] / 2
    def distance(face):
        if "box" not in face:
            return 0
        x1, y1, x2, y2 = face["box"]
        return ((x1 + x2) / 2 - cx) ** 2 + ((y1 + y2) / 2 - cy) ** 2
    return min(line["faces"], key=distance)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("predictions")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--fairface", help="FairFace labels.json")
    group.add_argument("--csv", help="dataset CSV with photo and age columns")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    labels, ages = read_labels(args)
    photos = detected = exact = within_one = 0
    per_range = [[0, 0, 0.0] for _ in NAMES]  # [photos, exact, sum of predicted - true age]
    errors = []  # predicted - true age, exact ages only
    for text in open(args.predictions):
        line = json.loads(text)
        name = os.path.basename(line["source"])
        if name not in labels:
            continue
        photos += 1
        if not line.get("faces"):
            continue
        detected += 1
        truth = labels[name]
        age = central_face(line)["age"]
        predicted = range_of(age)
        if name in ages:
            errors.append(age - ages[name])
            per_range[truth][2] += age - ages[name]
        exact += predicted == truth
        within_one += abs(predicted - truth) <= 1
        per_range[truth][0] += 1
        per_range[truth][1] += predicted == truth
    if photos == 0:
        sys.exit("range-accuracy: no prediction matches a labelled photo")
    result = {
        "photos": photos,
        "detected": detected,
        "detection_rate": round(100 * detected / photos, 1),
        "range_accuracy": round(100 * exact / max(detected, 1), 1),
        "range_accuracy_within_one": round(100 * within_one / max(detected, 1), 1),
        "per_range": {NAMES[i]: {"photos": n, "exact": round(100 * e / n, 1)}
                      for i, (n, e, _) in enumerate(per_range) if n},
    }
    if errors:  # exact ages: MAE and each range's mean signed error (predicted - true)
        result["mae"] = round(sum(abs(e) for e in errors) / len(errors), 2)
        for i, (n, _, signed) in enumerate(per_range):
            if n:
                result["per_range"][NAMES[i]]["mean_signed_error"] = round(signed / n, 2)
    if args.json:
        print(json.dumps(result))
        return
    print(f"photos {photos}, face found in {detected} ({result['detection_rate']}%)")
    print(f"age range right: {result['range_accuracy']}%, right or neighbouring: "
          f"{result['range_accuracy_within_one']}%")
    if "mae" in result:
        print(f"MAE {result['mae']} years (face nearest the centre of each photo)")
    for name, r in result["per_range"].items():
        signed = (f", mean signed error {r['mean_signed_error']:+.1f}"
                  if "mean_signed_error" in r else "")
        print(f"  {name:>6}: {r['photos']:4d} photos, {r['exact']:5.1f}% right{signed}")


if __name__ == "__main__":
    main()
