"""Frame sources: RTSP/HTTP streams, USB cameras, video files and folders of images."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import numpy as np

from shared.images import ImageError, decode_image

logger = logging.getLogger(__name__)

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


class SourceError(Exception):
    """The source cannot be opened or stopped delivering (camera away, stream dropped)."""


class FrameSource(Protocol):
    # Live sources (cameras, streams) run at their own pace: frames over the
    # rate cap are dropped. Finite sources (files, folders) are paced instead.
    live: bool

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None:
        """The next BGR frame; None when a finite source is exhausted; SourceError on failure."""
        ...

    def close(self) -> None: ...


class FolderSource:
    live = False

    def __init__(self, folder: str | Path, loop: bool = False) -> None:
        self.folder = Path(folder)
        self.loop = loop
        self._files: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if self.folder.is_file():
            self._files = [self.folder]
        elif self.folder.is_dir():
            self._files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_EXTS)
        else:
            raise SourceError(f"no such folder: {self.folder}")
        if not self._files:
            raise SourceError(f"no images in {self.folder}")
        self._next = 0

    def read(self) -> np.ndarray | None:
        skipped = 0
        while skipped <= len(self._files):
            if self._next >= len(self._files):
                if not self.loop:
                    return None
                self._next = 0
            path = self._files[self._next]
            self._next += 1
            try:
                return decode_image(path.read_bytes())
            except (OSError, ImageError) as exc:
                logger.warning("skipping %s: %s", path, exc)
                skipped += 1
        raise SourceError(f"no readable image in {self.folder}")

    def close(self) -> None:
        self._files = []


class VideoCaptureSource:
    """OpenCV VideoCapture over a stream URL, a USB index or a video file."""

    def __init__(self, target: str | int, live: bool, loop: bool = False) -> None:
        self.target = target
        self.live = live
        self.loop = loop
        self._cap = None

    def open(self) -> None:
        import cv2

        if isinstance(self.target, str) and "://" in self.target:
            # Without these, FFmpeg can wait for minutes on a camera that accepted the
            # connection but sends nothing; the worker's stall guard is the backstop.
            cap = cv2.VideoCapture(
                self.target,
                cv2.CAP_FFMPEG,
                [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 10_000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 10_000],
            )
        else:
            cap = cv2.VideoCapture(self.target)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.target!r}")
        if self.live:
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not a stale buffered one
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            raise SourceError("source not open")
        ok, frame = self._cap.read()
        if ok and frame is not None:
            return frame
        if self.live:
            raise SourceError(f"{self.target!r} stopped delivering frames")
        if self.loop:
            import cv2

            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
            if ok:
                return frame
        return None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def open_source(spec: str, loop: bool = False) -> FrameSource:
    """Pick the source kind from LPR_CAPTURE_SOURCE (opened later, by the worker)."""
    spec = spec.strip()
    if spec.isdigit():
        return VideoCaptureSource(int(spec), live=True)
    if "://" in spec:
        return VideoCaptureSource(spec, live=True)
    path = Path(spec)
    if path.is_dir() or path.suffix.lower() in IMAGE_EXTS:
        return FolderSource(path, loop=loop)
    # A video file; a path that does not exist (yet) fails at open and is retried.
    return VideoCaptureSource(str(path), live=False, loop=loop)
