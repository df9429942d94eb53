"""Generate the synthetic datasets once and cache them on disk.

Every sample has its own generator seeded by (seed, split, index), so any
sample can be rebuilt alone, workers can split the work freely, and a
dataset is byte-identical for the same arguments on any machine.

Layout under OUT:
  reader/<split>.npz              images uint8 [N, height, width] (--reader-size), texts, formats
  detector/<split>/images/*.jpg   320x320 tiles
  detector/<split>/labels/*.txt   YOLO boxes (class 0 = plate)
  detector/<split>/labels.jsonl   the labelled-data contract: image, region, plates[text, box]
  detector/dataset.yaml           for ultralytics, absolute paths
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lpr.preprocess import READER_SIZE

logger = logging.getLogger(__name__)

SPLITS = {"train": 0, "val": 1, "test": 2, "holdout": 3}
CHUNK = 500


def sample_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, SPLITS[split], index])


def _reader_chunk(args: tuple[int, str, int, int, tuple[int, int]]):
    from training.synth.scenes import reader_sample

    cv2.setNumThreads(1)
    seed, split, start, stop, size = args
    images, texts, formats = [], [], []
    for i in range(start, stop):
        gray, plate = reader_sample(sample_rng(seed, split, i), size=size)
        images.append(gray)
        texts.append(plate.text)
        formats.append(plate.format)
    return np.stack(images), texts, formats


def _detector_chunk(args: tuple[int, str, int, int, str]):
    from training.synth.scenes import detector_scene

    cv2.setNumThreads(1)
    seed, split, start, stop, out = args
    root = Path(out)
    lines = []
    for i in range(start, stop):
        scene = detector_scene(sample_rng(seed, split, i))
        name = f"{split}_{i:06d}.jpg"
        cv2.imwrite(str(root / "images" / name), scene.image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        h, w = scene.image.shape[:2]
        yolo = []
        for p in scene.plates:
            x1, y1, x2, y2 = p["box"]
            yolo.append(
                f"0 {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"
            )
        (root / "labels" / name.replace(".jpg", ".txt")).write_text(
            "\n".join(yolo) + ("\n" if yolo else "")
        )
        regions = sorted({p["region"] for p in scene.plates}) or ["none"]
        lines.append(
            json.dumps(
                {
                    "image": f"images/{name}",
                    "region": regions[0] if len(regions) == 1 else "mixed",
                    "kind": "scene",
                    "width": w,
                    "height": h,
                    "plates": [
                        {"text": p["text"], "box": p["box"], "format": p["format"]}
                        for p in scene.plates
                    ],
                    "source": "synthetic",
                },
                ensure_ascii=False,
            )
        )
    return lines


def _chunks(n: int):
    return [(s, min(s + CHUNK, n)) for s in range(0, n, CHUNK)]


def _run(fn, jobs, workers: int, desc: str, total: int):
    results = [None] * len(jobs)
    with tqdm(total=total, desc=desc, unit="img") as bar:
        if workers <= 1:
            for k, job in enumerate(jobs):
                results[k] = fn(job)
                bar.update(job[3] - job[2])
            return results
        # "spawn", not fork: a fork taken while torch or ONNX Runtime thread
        # pools are alive (tests, notebooks) can deadlock in the child.
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(fn, job): k for k, job in enumerate(jobs)}
            for fut in futures:
                k = futures[fut]
                results[k] = fut.result()
                bar.update(jobs[k][3] - jobs[k][2])
    return results


def make_reader_data(
    out: Path,
    sizes: dict[str, int],
    seed: int = 1,
    workers: int = 2,
    crop_size: tuple[int, int] = READER_SIZE,
) -> None:
    """Reader crops cut as serving cuts them, resized to `crop_size` (height, width)."""
    out = Path(out) / "reader"
    out.mkdir(parents=True, exist_ok=True)
    for split, n in sizes.items():
        jobs = [(seed, split, a, b, tuple(crop_size)) for a, b in _chunks(n)]
        parts = _run(_reader_chunk, jobs, workers, f"reader {split}", n)
        images = np.concatenate([p[0] for p in parts])
        texts = [t for p in parts for t in p[1]]
        formats = [f for p in parts for f in p[2]]
        np.savez(
            out / f"{split}.npz", images=images, texts=np.array(texts), formats=np.array(formats)
        )
        logger.info("wrote %d reader crops to %s", len(texts), out / f"{split}.npz")


def make_detector_data(out: Path, sizes: dict[str, int], seed: int = 1, workers: int = 2) -> None:
    root = Path(out).resolve() / "detector"
    for split, n in sizes.items():
        (root / split / "images").mkdir(parents=True, exist_ok=True)
        (root / split / "labels").mkdir(parents=True, exist_ok=True)
        jobs = [(seed, split, a, b, str(root / split)) for a, b in _chunks(n)]
        parts = _run(_detector_chunk, jobs, workers, f"detector {split}", n)
        with open(root / split / "labels.jsonl", "w", encoding="utf-8") as f:
            for lines in parts:
                f.writelines(line + "\n" for line in lines)
    yaml = {
        "path": str(root),
        "train": "train/images",
        "val": "val/images",
        "test": "test/images",
        "names": {0: "plate"},
    }
    (root / "dataset.yaml").write_text(
        "\n".join(f"{k}: {json.dumps(v)}" for k, v in yaml.items()) + "\n"
    )
    logger.info("detector data in %s", root)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def make_samples(out: Path, count: int = 12, seed: int = 7) -> None:
    """Clean demo frames with known plates, one per format in turn, plus labels.jsonl."""
    from training.synth.plates import SPECS
    from training.synth.scenes import clean_frame

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    formats = sorted(SPECS)
    with open(out / "labels.jsonl", "w", encoding="utf-8") as f:
        for i in range(count):
            frame, plate, box = clean_frame(
                np.random.default_rng([seed, i]), formats[i * 5 % len(formats)]
            )
            name = f"frame_{i:03d}.jpg"
            cv2.imwrite(str(out / name), frame, [cv2.IMWRITE_JPEG_QUALITY, 85])
            row = {
                "image": name,
                "region": plate.region,
                "kind": "scene",
                "width": frame.shape[1],
                "height": frame.shape[0],
                "plates": [{"text": plate.text, "box": [round(v, 1) for v in box]}],
                "source": "synthetic",
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
