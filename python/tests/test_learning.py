"""faceage.evaluate and faceage.train against `faceage eval --json` and `faceage train`."""
import json
import os
from pathlib import Path

import pytest

import faceage
from conftest import run_cli, utkface_subset

SOURCE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default_model():
    return faceage.Predictor(threads=1).model_path


def model_card(path):
    """The model card in a faceage model file's safetensors header (docs/deploy.md)."""
    with open(path, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    return json.loads(header["__metadata__"]["faceage.model"])["card"]


def test_evaluate_matches_eval_json(cli, data_dir, tmp_path, default_model):
    folder = utkface_subset(data_dir, tmp_path / "utkface", 12)
    printed = run_cli(cli, "eval", "--model", default_model, "--data", folder, "--threads", "1",
                      "--json")
    from_command = json.loads(printed)
    # The default model was trained on most UTKFace images: said as the command says it.
    with pytest.warns(UserWarning, match="were in this model's training set"):
        report = faceage.evaluate(default_model, folder, threads=1)
    assert report == from_command
    assert report["count"] == 12
    assert 0 < report["mae"] < 30


def test_evaluate_writes_the_report_files(data_dir, tmp_path, default_model):
    folder = utkface_subset(data_dir, tmp_path / "utkface", 4, stride=401)
    with pytest.warns(UserWarning):
        report = faceage.evaluate(default_model, [str(folder)], threads=1, out=tmp_path / "out")
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == report
    assert (tmp_path / "out" / "confusion.png").stat().st_size > 0


def test_evaluate_rejects_bad_arguments(default_model, tmp_path):
    with pytest.raises(ValueError, match="give data"):
        faceage.evaluate(default_model)
    with pytest.raises(ValueError, match="part"):
        faceage.evaluate(default_model, config="x.toml", part="train")
    with pytest.raises(faceage.Error, match="missing: no such file or folder"):
        faceage.evaluate(default_model, tmp_path / "missing")


def test_train_smoke_run(data_dir, tmp_path):
    folder = utkface_subset(data_dir, tmp_path / "utkface", 60, stride=151)
    result = faceage.train(
        SOURCE_DIR / "configs" / "utkface" / "smoke-resnet18-64.toml",
        {"data.path": folder, "data.max_samples": 0, "data.validation_fraction": 0.25,
         "augment.enabled": False, "train.epochs": 1, "train.batch_size": 16,
         "train.max_batches_per_epoch": 2, "train.loader_threads": 1,
         "train.torch_threads": 1, "train.device": "cpu"},
        output_dir=tmp_path / "run")
    assert Path(result["run_dir"]) == (tmp_path / "run").resolve()
    assert Path(result["best_model"]).is_file()
    assert Path(result["last_model"]).is_file()
    assert result["epochs_trained"] == 1
    assert len(result["history"]) == 1
    assert result["final"]["validation_samples"] == 15
    assert 0 < result["final"]["mae"] < 100
    assert result["best"] == result["final"]
    assert result["config"]["train"]["epochs"] == 1
    # The trained model is usable at once.
    assert faceage.Predictor(result["best_model"], threads=1).model_path == result["best_model"]
    # Its card names the build that trained it.
    assert model_card(result["best_model"])["trained_with"] == faceage.build


def test_build_names_the_commit_as_the_command_does(cli):
    assert faceage.build.startswith(f"faceage {faceage.__version__} (commit ")
    assert faceage.build == run_cli(cli, "--version").strip()


def test_train_names_a_bad_setting(tmp_path):
    with pytest.raises(faceage.Error, match="unknown key train.epoch"):
        faceage.train(overrides={"train.epoch": 1}, output_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="overrides"):
        faceage.train(overrides="train.epochs=1")
