"""`lpr scan` with the committed weights: reads clean synthetic plates, survives bad input."""

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from lpr.evaluate import iou
from tests.vision.helpers import ROOT, lpr
from training.synth.scenes import clean_frame as synth_clean_frame

FORMATS = ["fr_siv", "sk", "br_mercosur", "br_grey", "us_ca", "us_ny", "ma", "de"]


def clean_frame(seed: int, fmt: str):
    frame, plate, box = synth_clean_frame(np.random.default_rng(seed), fmt)
    return frame, plate.text, box


@pytest.fixture(scope="module")
def frames_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("frames")
    truth = {}
    for i, fmt in enumerate(FORMATS):
        frame, text, box = clean_frame(100 + i, fmt)
        cv2.imwrite(str(root / f"{i:02d}_{fmt}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
        truth[f"{i:02d}_{fmt}.jpg"] = (text, box)
    (root / "notes.txt").write_text("not an image: skipped quietly in folders")
    return root, truth


def test_scan_reads_known_synthetic_plates(frames_dir, tmp_path):
    root, truth = frames_dir
    out = tmp_path / "reads.jsonl"
    result = lpr("scan", str(root), "--out", str(out), "--annotate", str(tmp_path / "ann"))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["image"] for line in lines) == sorted(truth)  # notes.txt skipped
    correct = 0
    for line in lines:
        text, box = truth[line["image"]]
        plates = line["plates"]
        assert plates, f"no plate found in {line['image']}"
        best = max(plates, key=lambda p: p["confidence"])
        assert iou(best["box"], box) > 0.5  # found, as `lpr eval` counts it
        correct += best["text"] == text
    assert correct >= len(truth) - 1, lines
    assert len(list((tmp_path / "ann").glob("*.jpg"))) == len(truth)


def test_annotations_stay_in_their_folder_whatever_the_path_given(frames_dir, tmp_path):
    root, truth = frames_dir
    before = sorted(root.iterdir())
    first, second = sorted(truth)[:2]
    absolute, relative = root / first, os.path.relpath(root / second, ROOT)  # "../.."
    ann = tmp_path / "ann"
    result = lpr("scan", str(absolute), relative, "--annotate", str(ann))
    assert result.returncode == 0, result.stderr
    drawn = sorted(p.name for p in ann.rglob("*.jpg"))
    assert drawn == sorted([f"{first}.jpg", f"{second}.jpg"])
    assert all(p.resolve().is_relative_to(ann) for p in ann.rglob("*.jpg"))
    assert sorted(root.iterdir()) == before  # nothing written beside the photos


def test_bad_inputs_are_reported_and_the_batch_goes_on(frames_dir, tmp_path):
    root, truth = frames_dir
    good = root / sorted(truth)[0]
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    unsupported = tmp_path / "plate.txt"
    unsupported.write_text("ABC123")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    missing = tmp_path / "missing.jpg"
    result = lpr(
        "scan", str(missing), str(corrupt), str(good), str(empty), str(unsupported), str(empty_dir)
    )
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_name = {Path(line["image"]).name: line for line in lines}
    assert "no such file" in by_name["missing.jpg"]["error"]
    assert "cannot decode" in by_name["corrupt.jpg"]["error"]
    assert "empty file" in by_name["empty.png"]["error"]
    assert "unsupported file type" in by_name["plate.txt"]["error"]
    assert "no images" in by_name["nothing"]["error"]
    assert by_name[good.name]["plates"] and "error" not in by_name[good.name]
    for name in ("missing.jpg", "corrupt.jpg", "empty.png", "plate.txt", "nothing"):
        assert name in result.stderr


def test_scan_reads_video_frames(frames_dir, tmp_path):
    root, truth = frames_dir
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (1280, 720))
    for name in sorted(truth)[:3]:
        writer.write(cv2.imread(str(root / name)))
    writer.release()
    result = lpr("scan", str(video))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["image"] for line in lines] == [f"{video}#{i}" for i in range(3)]
    assert all(line["plates"] for line in lines)


def test_missing_model_is_a_clear_error(tmp_path):
    result = lpr("scan", str(tmp_path), "--detector", str(tmp_path / "nope.onnx"))
    assert result.returncode == 2
    assert "model file not found" in result.stderr


def test_reader_given_as_detector_is_a_clear_error(frames_dir):
    root, _ = frames_dir
    result = lpr("scan", str(root), "--detector", str(ROOT / "models" / "plate_recognizer.onnx"))
    assert result.returncode == 2
    assert "is not a one-class YOLOv8 detector export" in result.stderr
    assert "Traceback" not in result.stderr
