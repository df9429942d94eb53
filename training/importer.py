"""Turn a labelled dataset (labels.jsonl contract) into training data for both models.

    lpr data import LABELS.jsonl --out data/site

Reader crops are cut by the serving `crop_plate`, so fine-tuning sees what
serving sees. Detector images are stored at inference scale (long side 640),
where the detector is trained and run. Images go to train or val by a hash
of their name, so re-running the import keeps the split.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lpr.detector import DEFAULT_LONG_SIDE
from lpr.labels import load_labels
from lpr.preprocess import READER_SIZE, crop_plate, reader_gray
from lpr.scan import decode_image


def _split(name: str, val_share: float) -> str:
    return (
        "val"
        if int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < val_share
        else "train"
    )


def import_labels(
    labels: str | Path,
    out: str | Path,
    val_share: float = 0.1,
    crop_size: tuple[int, int] = READER_SIZE,
) -> dict[str, int]:
    out = Path(out).resolve()
    crops: dict[str, list] = {"train": [], "val": []}
    counts = {"images": 0, "plates": 0, "skipped": 0}
    for split in crops:
        (out / "detector" / split / "images").mkdir(parents=True, exist_ok=True)
        (out / "detector" / split / "labels").mkdir(parents=True, exist_ok=True)
    for item in tqdm(load_labels(labels), unit="img"):
        try:
            image = decode_image(item.path)
        except (ValueError, OSError):
            counts["skipped"] += 1
            continue
        split = _split(item.image, val_share)
        counts["images"] += 1
        for plate in item.plates:
            if not plate.suspect and plate.text:
                gray = reader_gray(crop_plate(image, plate.box), crop_size)
                crops[split].append((gray, plate.text))
                counts["plates"] += 1
        if item.kind == "scene":
            _write_detector_image(
                out / "detector" / split, item.image, image, [p.box for p in item.plates]
            )
    for split, rows in crops.items():
        if rows:
            (out / "reader").mkdir(parents=True, exist_ok=True)
            np.savez(
                out / "reader" / f"{split}.npz",
                images=np.stack([r[0] for r in rows]),
                texts=np.array([r[1] for r in rows]),
                formats=np.array(["imported"] * len(rows)),
            )
    yaml = {
        "path": str(out / "detector"),
        "train": "train/images",
        "val": "val/images",
        "names": {0: "plate"},
    }
    (out / "detector" / "dataset.yaml").write_text(
        "\n".join(f"{k}: {json.dumps(v)}" for k, v in yaml.items()) + "\n"
    )
    return counts


def _write_detector_image(root: Path, name: str, image: np.ndarray, boxes) -> None:
    h, w = image.shape[:2]
    scale = min(DEFAULT_LONG_SIDE / max(h, w), 1.0)
    if scale < 1.0:
        image = cv2.resize(
            image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
        )
    stem = name.replace("/", "__").rsplit(".", 1)[0]
    cv2.imwrite(str(root / "images" / f"{stem}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    lines = [
        f"0 {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"
        for x1, y1, x2, y2 in boxes
    ]
    (root / "labels" / f"{stem}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
