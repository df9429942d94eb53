"""`lpr bench`: times every image, and each frame size apart (the target is per size)."""

import shutil

import cv2
import pytest

from lpr.bench import STAGES, bench
from lpr.inference import load_pipeline
from tests.vision.helpers import SAMPLES


@pytest.fixture(scope="module")
def pipeline():
    return load_pipeline(min_confidence=0.2, min_chars=4, max_chars=10)


def test_figures_are_given_per_frame_size(pipeline, tmp_path, capsys):
    for name in ("frame_000.jpg", "frame_001.jpg", "frame_002.jpg"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    small = cv2.resize(cv2.imread(str(SAMPLES / "frame_003.jpg")), (640, 360))
    cv2.imwrite(str(tmp_path / "small.jpg"), small)

    stats = bench([str(tmp_path)], pipeline, repeat=2)

    assert {size: by["images"] for size, by in stats["by_size"].items()} == {
        "1280x720": 3,
        "640x360": 1,
    }
    for figures in [stats, *stats["by_size"].values()]:
        for stage in STAGES:
            assert figures[stage]["median"] > 0
            assert figures[stage]["p95"] >= figures[stage]["median"]
        assert figures["total"]["mean"] >= figures["detect"]["mean"]
    printed = capsys.readouterr().out
    assert "4 images x 2 runs" in printed
    assert "1280x720" in printed and "3 images" in printed
    assert "sizes of fewer than 3 images" in printed  # the one small frame


def test_no_images_is_a_clear_error(pipeline, tmp_path):
    with pytest.raises(SystemExit, match="no images"):
        bench([str(tmp_path)], pipeline)
