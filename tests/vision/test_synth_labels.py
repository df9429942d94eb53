"""The generator is deterministic and its labels tell the truth."""

import json

import numpy as np

from training.data import make_detector_data, sample_rng
from training.synth.plates import render_plate
from training.synth.scenes import _place_plate, detector_scene, holder_over_plate, reader_sample


def test_scenes_are_reproducible_from_the_seed():
    a, b = detector_scene(sample_rng(7, "train", 11)), detector_scene(sample_rng(7, "train", 11))
    assert np.array_equal(a.image, b.image) and a.plates == b.plates
    c = detector_scene(sample_rng(7, "train", 12))
    assert not np.array_equal(a.image, c.image)


def test_reader_samples_are_reproducible():
    (g1, p1), (g2, p2) = (
        reader_sample(np.random.default_rng(5)),
        reader_sample(np.random.default_rng(5)),
    )
    assert np.array_equal(g1, g2) and p1.text == p2.text
    assert g1.shape == (32, 128) and g1.dtype == np.uint8


def test_holder_frames_cover_the_rim_and_leave_characters_readable():
    rng = np.random.default_rng(3)
    feet_covered = 0
    for fmt in ["us_ca", "us_tx", "br_grey", "fr_siv"] * 10:
        plate = render_plate(rng, fmt)
        plate.image[:] = 77  # a flat plate: whatever changes is the frame
        changed = (holder_over_plate(rng, plate) != 77).any(axis=2)
        assert changed[0].all() and changed[-1].all()  # its bars lie over the plate's rim
        for x1, y1, x2, y2 in plate.char_boxes:
            rows = changed[y1:y2, x1:x2].any(axis=1)
            assert rows.mean() <= 0.25, f"{fmt}: a frame hides {rows.mean():.0%} of a character"
            feet_covered += bool(rows[-1])
    assert feet_covered > 0  # and it does reach the foot of the characters now and then


def test_box_holds_exactly_the_drawn_plate():
    rng = np.random.default_rng(1)
    for _ in range(20):
        canvas = np.zeros((320, 320, 3), np.uint8)
        plate = render_plate(rng)
        plate.image[:] = np.maximum(plate.image, 1)  # no pure-black plate pixel, so every one shows
        box = _place_plate(
            rng, canvas, plate, 160, 160, float(rng.uniform(30, 200)), occlusion_p=0.0
        )
        ys, xs = np.nonzero(canvas.max(axis=2))
        assert xs.min() >= np.floor(box[0]) - 1 and xs.max() <= np.ceil(box[2]) + 1
        assert ys.min() >= np.floor(box[1]) - 1 and ys.max() <= np.ceil(box[3]) + 1
        # and the box is not loose: the drawn pixels reach its sides
        assert xs.min() <= box[0] + 2 and xs.max() >= box[2] - 3


def test_dataset_files_agree_with_each_other(tmp_path):
    make_detector_data(tmp_path, {"val": 12}, seed=2, workers=1)
    root = tmp_path / "detector" / "val"
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    assert len(rows) == 12
    for row in rows:
        yolo = (
            (root / "labels" / row["image"].split("/")[-1].replace(".jpg", ".txt"))
            .read_text()
            .split("\n")
        )
        yolo = [line for line in yolo if line]
        assert len(yolo) == len(row["plates"])
        for line, plate in zip(yolo, row["plates"], strict=True):
            _, cx, cy, w, h = map(float, line.split())
            x1, y1, x2, y2 = plate["box"]
            assert abs(cx * 320 - (x1 + x2) / 2) < 0.5 and abs(w * 320 - (x2 - x1)) < 0.5
            assert plate["text"] and 0 <= x1 < x2 <= 320 and 0 <= y1 < y2 <= 320


def test_camera_overlays_print_a_date_and_time_where_asked():
    import re

    from training.synth import distractors

    rng = np.random.default_rng(0)
    assert all(re.search(r"\d\d:\d\d:\d\d", distractors._overlay_line(rng)) for _ in range(20))
    canvas = np.full((320, 320, 3), 90, np.uint8)
    distractors.camera_overlay(rng, canvas, 160, 10, 12)
    rows = np.flatnonzero((canvas != 90).any(axis=(1, 2)))
    assert rows.size and rows.max() < 10 + 12  # one line at the top edge, nothing below
    assert (canvas.max(axis=2) > 200).sum() > 50  # light characters...
    assert (canvas.max(axis=2) < 40).sum() > 50  # ...with a dark edge
