"""`lpr degrade`: copies of a labelled set made darker, blurrier, glared or covered,
each with the same labels, changed where it says and nowhere it should not be."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np

from tests.vision.helpers import SAMPLES, lpr


def small_set(root: Path, count: int = 2) -> Path:
    """The first `count` sample frames and their labels, copied into `root`."""
    root.mkdir()
    rows = [json.loads(line) for line in (SAMPLES / "labels.jsonl").read_text().splitlines()]
    rows = rows[:count]
    for row in rows:
        shutil.copy(SAMPLES / row["image"], root / row["image"])
    labels = root / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return labels


def plate_and_rest(image: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    inside = np.zeros(image.shape[:2], bool)
    inside[y1:y2, x1:x2] = True
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return gray[inside], gray[~inside]


def test_each_kind_changes_the_plates_as_named(tmp_path):
    labels = small_set(tmp_path / "src")
    out = tmp_path / "out"
    # Kinds may be given with spaces or commas.
    done = lpr(
        "degrade", str(labels), "--out", str(out), "--kinds", "dark", "blur,glare", "occlusion"
    )
    assert done.returncode == 0, done.stderr

    rows = [json.loads(line) for line in labels.read_text().splitlines()]
    for row in rows:
        source = cv2.imread(str(labels.parent / row["image"]))
        box = row["plates"][0]["box"]
        plate, rest = plate_and_rest(source, box)
        made = {
            k: cv2.imread(str(out / k / row["image"]))
            for k in ("dark", "blur", "glare", "occlusion")
        }
        for kind, image in made.items():
            assert image is not None and image.shape == source.shape, kind
            assert (out / kind / "labels.jsonl").read_text() == labels.read_text(), kind
        dark_plate, dark_rest = plate_and_rest(made["dark"], box)
        assert dark_plate.mean() < 0.6 * plate.mean() and dark_rest.mean() < 0.6 * rest.mean()
        sharp = cv2.Laplacian(cv2.cvtColor(source, cv2.COLOR_BGR2GRAY), cv2.CV_32F).var()
        blurred = cv2.Laplacian(cv2.cvtColor(made["blur"], cv2.COLOR_BGR2GRAY), cv2.CV_32F).var()
        assert blurred < 0.5 * sharp
        glare_plate, glare_rest = plate_and_rest(made["glare"], box)
        assert glare_plate.mean() > plate.mean() + 10  # a hot spot on the plate
        covered_plate, covered_rest = plate_and_rest(made["occlusion"], box)
        assert covered_plate.mean() < plate.mean() - 5  # a pole and a band over it
        # Glare and occlusion touch the plate and its surroundings only.
        assert abs(glare_rest.mean() - rest.mean()) < 5
        assert abs(covered_rest.mean() - rest.mean()) < 5


def test_an_unknown_kind_is_a_clear_error(tmp_path):
    labels = small_set(tmp_path / "src", count=1)
    done = lpr("degrade", str(labels), "--out", str(tmp_path / "out"), "--kinds", "fog")
    assert done.returncode != 0
    assert "unknown degradation ['fog']" in done.stderr
    assert not (tmp_path / "out" / "fog").exists()
