"""faceage.Predictor against `faceage predict` on the same FairFace photo."""
import threading
import time

import numpy as np
import pytest

import faceage
from conftest import cli_json_lines


def ages(faces):
    return [face["age"] for face in faces]


def test_predict_matches_the_command(cli, predictor, fairface_photo, rgb_photo):
    [line] = cli_json_lines(cli, "predict", "--threads", "1", fairface_photo)
    from_command = line["faces"]
    from_array = predictor.predict(rgb_photo)
    assert len(from_command) >= 1
    assert len(from_array) == len(from_command)
    for ours, theirs in zip(from_array, from_command):
        assert set(ours) == set(theirs)  # the same fields: one to_json for both
        assert ours["age"] == pytest.approx(theirs["age"], abs=0.01)
        assert ours["box"] == pytest.approx(theirs["box"], abs=1.0)
    # The file read by faceage (OpenCV) gives the command's own numbers.
    assert predictor.predict_file(fairface_photo) == from_command


def test_channel_order_is_rgb(predictor, rgb_photo):
    rgb = predictor.predict(rgb_photo)
    bgr = predictor.predict(rgb_photo[..., ::-1])  # what an OpenCV image would give
    assert len(rgb) >= 1
    assert ages(bgr) != pytest.approx(ages(rgb), abs=0.01) or len(bgr) != len(rgb)


def test_any_memory_layout_gives_the_same_faces(predictor, rgb_photo):
    contiguous = predictor.predict(np.ascontiguousarray(rgb_photo))
    assert predictor.predict(np.asfortranarray(rgb_photo)) == contiguous
    # Channels in reverse memory order (an OpenCV image seen as RGB): the strided path.
    bgr_memory = np.ascontiguousarray(rgb_photo[..., ::-1])
    assert bgr_memory[..., ::-1].strides[2] == -1
    assert predictor.predict(bgr_memory[..., ::-1]) == contiguous
    # Pixels four bytes apart (an RGBA buffer's first three channels).
    rgba = np.zeros(rgb_photo.shape[:2] + (4,), np.uint8)
    rgba[..., :3] = rgb_photo
    assert predictor.predict(rgba[..., :3]) == contiguous


@pytest.mark.parametrize("image, message", [
    (np.zeros((64, 64, 3), np.float32), "dtype uint8"),
    (np.zeros((64, 64), np.uint8), "2 dimensions"),
    (np.zeros((64, 64, 4), np.uint8), "3 channels"),
    (np.zeros((64, 64, 1), np.uint8), "3 channels"),
    (np.zeros((0, 64, 3), np.uint8), "no pixels"),
    ([[[0, 0, 0]]], "NumPy array"),
])
def test_bad_images_raise_value_error(predictor, image, message):
    with pytest.raises(ValueError, match=message) as error:
        predictor.predict(image)
    assert "\n" not in str(error.value)


def test_faceage_errors_keep_their_message(tmp_path):
    with pytest.raises(faceage.Error, match="does not exist"):
        faceage.Predictor(str(tmp_path / "missing.safetensors"))
    with pytest.raises(ValueError, match="batch_size"):
        faceage.Predictor(batch_size=0)


def count_until(event):
    """Iterations of a pure-Python loop until `event` is set, and the seconds it ran."""
    counted, start = 0, time.perf_counter()
    while not event.is_set():
        counted += 1
    return counted, time.perf_counter() - start


def test_the_gil_is_released_while_predicting(predictor, rgb_photo):
    photo = np.ascontiguousarray(np.tile(rgb_photo, (2, 2, 1)))  # four faces: a longer call

    alone = threading.Event()
    threading.Timer(0.3, alone.set).start()
    alone_count, alone_seconds = count_until(alone)

    done = threading.Event()

    def predict():
        try:
            predictor.predict(photo)
        finally:
            done.set()

    worker = threading.Thread(target=predict)
    worker.start()
    count, seconds = count_until(done)
    worker.join()
    # With the GIL held through the C++ work the loop would stand still for nearly all of
    # it (about 1% of its own pace: one 5 ms switch interval before the call).
    assert seconds > 0.05
    assert count / seconds > 0.3 * alone_count / alone_seconds, (count, seconds, alone_count)


def test_distribution_is_the_ages_probabilities(predictor, rgb_photo):
    plain = predictor.predict(rgb_photo)
    faces = predictor.predict(rgb_photo, distribution=True)
    assert len(faces) == len(plain) >= 1
    for face, without in zip(faces, plain):
        assert "age_distribution" not in without
        probabilities = np.array(face["age_distribution"])
        assert probabilities.shape == (101,)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-3)
        assert (probabilities * np.arange(101)).sum() == pytest.approx(face["age"], abs=0.01)
