"""Fixed-strength degradations of a labelled set, to measure what bad conditions cost.

Deliberately unlike the training generator's random effects: the point is
to see how the models hold up on real photos made darker, blurrier, glared
or partly covered, not to replay the training distribution.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lpr.labels import load_labels
from lpr.scan import decode_image


def darken(img, rng, boxes):
    f = (img.astype(np.float32) / 255) ** 1.8 * 0.35 * 255
    f += rng.normal(0, 4, img.shape[:2] + (1,))
    return np.clip(f, 0, 255).astype(np.uint8)


def blur(img, rng, boxes):
    # Scaled to the plate: a 3 % of plate-width motion smear plus defocus.
    width = np.median([b[2] - b[0] for b in boxes]) if boxes else img.shape[1] * 0.1
    length = max(3, int(width * 0.04) | 1)
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2] = 1 / length
    return cv2.GaussianBlur(cv2.filter2D(img, -1, kernel), (0, 0), max(0.8, width * 0.008))


def glare(img, rng, boxes):
    f = img.astype(np.float32)
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for x1, y1, x2, y2 in boxes:
        cx, cy = x1 + (x2 - x1) * rng.uniform(0.2, 0.8), (y1 + y2) / 2
        r = (x2 - x1) * 0.3  # a hot spot a person can still read through
        f += 255 * 0.6 * np.exp(-(((xx - cx) / r) ** 2 + ((yy - cy) / (r * 0.6)) ** 2))[..., None]
    return np.clip(f, 0, 255).astype(np.uint8)


def occlusion(img, rng, boxes):
    out = img.copy()
    for x1, y1, x2, y2 in boxes:
        w, h = x2 - x1, y2 - y1
        x = x1 + w * rng.uniform(0.25, 0.75)  # a thin pole across the plate
        cv2.line(
            out, (int(x), int(y1 - h)), (int(x), int(y2 + h)), (40, 40, 40), max(1, int(w * 0.03))
        )
        cv2.rectangle(
            out, (int(x1), int(y2 - 0.15 * h)), (int(x2), int(y2 + 0.1 * h)), (30, 30, 30), -1
        )
    return out


KINDS = {"dark": darken, "blur": blur, "glare": glare, "occlusion": occlusion}


def write_degraded(labels: str, out: str, kinds: list[str], seed: int = 0) -> None:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown degradation {sorted(unknown)}; choose from {sorted(KINDS)}")
    items = load_labels(labels)
    rows = [json.loads(line) for line in open(labels, encoding="utf-8") if line.strip()]
    for kind in kinds:
        root = Path(out) / kind
        rng = np.random.default_rng(seed)
        with open(
            root.mkdir(parents=True, exist_ok=True) or root / "labels.jsonl", "w", encoding="utf-8"
        ) as f:
            for item, row in tqdm(list(zip(items, rows, strict=True)), desc=kind, unit="img"):
                image = KINDS[kind](decode_image(item.path), rng, [p.box for p in item.plates])
                target = root / item.image
                target.parent.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(
                    str(target.with_suffix(".png") if target.suffix == ".png" else target), image
                )
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
