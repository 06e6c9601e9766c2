"""scripts/paper-results-tables.py on made-up run folders: each setting's verdicts are held
against the seed gaps of that setting's runs alone (docs/paper-results.md, "How the
verdicts are made"). ctest: scripts_test_paper_results_tables."""
import json
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "paper-results-tables.py"


def write_run(results, config, seed, test_mae):
    """A finished run's folder as run-paper-experiments.sh leaves it, with this test MAE."""
    folder = results / f"{config.replace('/', '-')}-s{seed}"
    folder.mkdir(parents=True)
    sets = {name: {"mae": test_mae, "ca3": 40.0, "ca5": 60.0, "ca7": 70.0}
            for name in ("utkface", "allagefaces")}
    (folder / "metrics.jsonl").write_text(
        json.dumps({"epoch": 0, "seconds": 60, "best": True, "validation_sets": sets}) + "\n")
    (folder / "test.json").write_text(json.dumps({"mae": test_mae}))
    (folder / "fairface.json").write_text(
        json.dumps({"range_accuracy": 35.0, "range_accuracy_within_one": 80.0}))
    (folder / "run.json").write_text(
        json.dumps({"config": f"configs/paper/utkface-aaf/{config}.toml", "seed": seed}))


def tables(results):
    return subprocess.run([sys.executable, str(SCRIPT), "--results", str(results), "--print"],
                          capture_output=True, text=True, check=True).stdout


def verdicts(results):
    return {line.split(":")[0].removeprefix("- Verdict, "): line
            for line in tables(results).splitlines() if line.startswith("- Verdict, ")}


def test_each_setting_is_judged_by_its_own_seed_gaps(tmp_path):
    # face_resnet29: seeds 0.10 apart; LDL 0.25 ahead.
    write_run(tmp_path, "t2-ldl", 1, 5.00)
    write_run(tmp_path, "t2-ldl", 2, 5.10)
    write_run(tmp_path, "t1-classification", 1, 5.30)
    write_run(tmp_path, "t1-classification", 2, 5.30)
    # From scratch at 64 px: seeds 0.40 apart; LDL 0.30 ahead.
    write_run(tmp_path, "backbones/seresnext50-ldl", 1, 6.50)
    write_run(tmp_path, "backbones/seresnext50-ldl", 2, 6.90)
    write_run(tmp_path, "backbones/seresnext50-classification", 1, 7.00)
    write_run(tmp_path, "backbones/seresnext50-classification", 2, 7.00)
    write_run(tmp_path, "backbones/resnet50-ldl", 1, 6.60)
    write_run(tmp_path, "backbones/resnet50-classification", 1, 7.20)
    found = verdicts(tmp_path)

    # The backbones' 0.40 gap does not judge face_resnet29's rows, nor 0.10 the backbones'.
    t1_t2 = found["LDL (σ 2, λ 1) better than classification (CE, argmax)"]
    assert "**reproduced**" in t1_t2 and "noise 0.10" in t1_t2
    se = found["SE-ResNeXt-50, LDL better than SE-ResNeXt-50, classification"]
    assert "**within noise**" in se and "noise 0.40" in se
    # A one-seed pair is judged by its setting's noise and marked provisional.
    resnet = found["ResNet-50, LDL better than ResNet-50, classification"]
    assert "**reproduced**" in resnet and "noise 0.40" in resnet and "provisional" in resnet
    assert "not measured yet" in found["VGG16-BN, LDL better than VGG16-BN, classification"]


def test_a_setting_without_two_seeds_has_no_verdict(tmp_path):
    for seed in (1, 2):
        write_run(tmp_path, "t2-ldl", seed, 5.0 + seed / 10)
        write_run(tmp_path, "t1-classification", seed, 5.5)
    write_run(tmp_path, "backbones/seresnext50-ldl", 1, 6.0)
    write_run(tmp_path, "backbones/seresnext50-classification", 1, 7.0)
    found = verdicts(tmp_path)

    assert "**reproduced**" in found["LDL (σ 2, λ 1) better than classification (CE, argmax)"]
    assert "no verdict yet" in found["SE-ResNeXt-50, LDL better than SE-ResNeXt-50, classification"]


def test_the_glance_table_gives_each_claim_the_verdict_of_its_table(tmp_path):
    for seed in (1, 2):
        write_run(tmp_path, "t2-ldl", seed, 5.0)
        write_run(tmp_path, "t1-classification", seed, 5.0 + seed / 10)  # noise 0.10, gap 0.15
        write_run(tmp_path, "t3-ldl-augment", seed, 5.2)                  # 0.20 behind
    rows = {line.split(" | ")[1]: line for line in tables(tmp_path).splitlines()
            if line.startswith("| Table")}

    assert "| **reproduced** | test MAE 5.00 against 5.15, noise 0.10 |" in rows[
        "LDL (σ 2, λ 1) better than classification (CE, argmax)"]
    assert "| **not reproduced** |" in rows["with augmentation better than without"]
    assert "| not measured yet |" in rows["gender + ethnicity heads better than age alone"]
    assert rows["VGG16-BN, LDL better than VGG16-BN, classification"].startswith(
        "| Tables 1 and 2 across backbones (64 px, from scratch) |")
