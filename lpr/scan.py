"""Batch inference over image files, folders (recursive) and videos, in-process.

Each input yields one result line; a bad input yields a line with "error"
and the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

import cv2
import numpy as np

logger = logging.getLogger(__name__)

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_EXTS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}


@dataclass
class Frame:
    name: str  # relative to the folder given, or the path as given; "#frame" appended for videos
    path: Path
    image: np.ndarray | None = None
    error: str | None = None


def decode_image(path: Path) -> np.ndarray:
    data = np.fromfile(str(path), dtype=np.uint8)
    if data.size == 0:
        raise ValueError("empty file")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("cannot decode image (corrupt or not an image)")
    return image


def list_inputs(paths: list[str]) -> Iterator[tuple[str, Path, str | None]]:
    """(name, path, error) for every file to scan, in a stable order."""
    for given in paths:
        p = Path(given)
        if not p.exists():
            yield given, p, "no such file or directory"
        elif p.is_dir():
            files = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in IMAGE_EXTS | VIDEO_EXTS
            )
            if not files:
                yield given, p, "folder holds no images or videos"
            for f in files:
                yield f.relative_to(p).as_posix(), f, None
        elif p.suffix.lower() in IMAGE_EXTS | VIDEO_EXTS:
            yield given, p, None
        else:
            yield (
                given,
                p,
                f"unsupported file type {p.suffix or '(none)'}; expected an image or a video",
            )


def frames(paths: list[str]) -> Iterator[Frame]:
    for name, path, error in list_inputs(paths):
        if error:
            yield Frame(name, path, error=error)
        elif path.suffix.lower() in VIDEO_EXTS:
            yield from _video_frames(name, path)
        else:
            try:
                yield Frame(name, path, decode_image(path))
            except (ValueError, OSError) as exc:
                yield Frame(name, path, error=str(exc))


def _video_frames(name: str, path: Path) -> Iterator[Frame]:
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            yield Frame(name, path, error="cannot open video")
            return
        index = 0
        while True:
            ok, image = cap.read()
            if not ok:
                break
            yield Frame(f"{name}#{index}", path, image)
            index += 1
        if index == 0:
            yield Frame(name, path, error="video has no decodable frames")
    finally:
        cap.release()


def annotate(image: np.ndarray, plates: list[dict]) -> np.ndarray:
    """Boxes and read text drawn on a copy of the image, for debugging."""
    out = image.copy()
    thick = max(1, round(max(image.shape[:2]) / 500))
    for p in plates:
        x1, y1, x2, y2 = (int(v) for v in p["box"])
        cv2.rectangle(out, (x1, y1), (x2, y2), (0, 255, 0), thick)
        label = f"{p['text']} {p['confidence']:.2f}".encode("ascii", "replace").decode()
        scale = 0.5 * thick
        (tw, th), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        y = max(th + 4, y1 - 4)
        cv2.rectangle(out, (x1, y - th - 4), (x1 + tw + 4, y + 2), (0, 0, 0), -1)
        cv2.putText(
            out, label, (x1 + 2, y - 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 255, 255), thick
        )
    return out


def write_annotation(root: str | Path, name: str, image: np.ndarray, plates: list[dict]) -> Path:
    """`image` annotated, saved as `name`.jpg under `root`, whatever path `name` is.

    Absolute names and ".." are cut away: joined as they are, an annotation
    would land beside the photo, or anywhere on the disk.
    """
    parts = [p for p in PurePath(name.replace("#", "_")).parts if p not in ("..", ".", "/")]
    target = Path(root).joinpath(*parts[:-1], parts[-1] + ".jpg")
    target.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(target), annotate(image, plates))
    return target
