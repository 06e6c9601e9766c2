"""Shared fixtures of the Python module's tests (ctest: python_*; tests/CMakeLists.txt).

The environment names the built module (PYTHONPATH), the `faceage` command (FACEAGE_CLI)
and the labelled images (FACEAGE_DATA_DIR).
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import faceage


def pytest_report_header(config):
    return f"faceage module: {faceage.__file__}"


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("FACEAGE_CLI", "")
    if not Path(path).is_file():
        pytest.fail(f"FACEAGE_CLI={path!r}: the faceage command is not there (build faceage_cli)")
    return path


@pytest.fixture(scope="session")
def data_dir():
    path = Path(os.environ.get("FACEAGE_DATA_DIR", ""))
    if not (path / "utkface").is_dir():
        pytest.fail(f"FACEAGE_DATA_DIR={str(path)!r} has no utkface folder (docs/datasets.md)")
    return path


@pytest.fixture(scope="session")
def fairface_photo(data_dir):
    # An in-the-wild photo with one face, as `faceage predict` gets it.
    return data_dir / "fairface" / "fairface_0001.jpg"


@pytest.fixture(scope="session")
def rgb_photo(fairface_photo):
    with Image.open(fairface_photo) as image:
        return np.asarray(image.convert("RGB"))


@pytest.fixture(scope="session")
def predictor():
    # One LibTorch thread, as the command runs in the comparisons: ctest runs two tests at once on two cores.
    return faceage.Predictor(threads=1)


def run_cli(cli, *arguments):
    """The command's stdout; fails the test with its stderr when it exits non-zero."""
    result = subprocess.run([cli, *map(str, arguments)], capture_output=True, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, f"{cli} {arguments} exited {result.returncode}: {result.stderr}"
    return result.stdout


def cli_json_lines(cli, *arguments):
    return [json.loads(line) for line in run_cli(cli, *arguments).splitlines() if line.strip()]


def utkface_subset(data_dir, folder, count, stride=97):
    """`count` UTKFace crops copied into `folder` (a UTKFace-format folder), spread over ages."""
    names = sorted(p.name for p in (data_dir / "utkface").glob("*.jpg"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in names[::stride][:count]:
        shutil.copyfile(data_dir / "utkface" / name, folder / name)
    return folder
