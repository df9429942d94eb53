"""Detector tiles look like real photos where it mattered: level plates, plate-free look-alikes."""

import numpy as np
import pytest

from training.synth.scenes import CLUTTER, SCENERY, detector_scene, plate_quad, roll_degrees


def test_plates_are_mostly_level():
    rng = np.random.default_rng(3)
    rolls = np.abs([roll_degrees(rng) for _ in range(4000)])
    assert np.mean(rolls < 2) > 0.75 and rolls.max() <= 8


def test_label_box_of_a_wide_plate_is_barely_taller_than_the_plate():
    # Real labels hug the rim; a loose synthetic box taught the detector loose boxes.
    rng = np.random.default_rng(4)
    width, aspect = 100.0, 4.7
    heights = [np.ptp(plate_quad(rng, 0, 0, width, aspect)[:, 1]) for _ in range(2000)]
    ratio = np.array(heights) / (width / aspect)
    assert np.median(ratio) < 1.15 and np.quantile(ratio, 0.9) < 1.5


def test_some_tiles_have_cars_but_no_plate():
    empty = sum(not detector_scene(np.random.default_rng(s)).plates for s in range(120))
    assert 8 <= empty <= 40


@pytest.mark.parametrize("name", sorted(set(SCENERY) | set(CLUTTER)))
def test_every_distractor_survives_the_tile_edges(name):
    _, _, draw, (lo, hi) = {**SCENERY, **CLUTTER}[name]
    rng = np.random.default_rng(5)
    for x, y in [(-20, -20), (0, 160), (319, 319), (400, 10), (160, 160)]:
        for size in (lo, hi):
            canvas = np.full((320, 320, 3), 128, np.uint8)
            draw(rng, canvas, x, y, size)
            assert canvas.shape == (320, 320, 3) and canvas.dtype == np.uint8
