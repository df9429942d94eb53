"""Image preprocessing shared by training and serving, so the two cannot drift.

- `crop_plate`: cut a detected box out of a frame with a margin, then deskew.
- `reader_gray` / `normalise`: plate crops to the reader's gray size / its normalised batch.
- `letterbox` / `to_blob`: a frame to the detector's input, with the transform to undo it.
- `lift_dark`: a night frame's local contrast raised, for the detector.
"""

from __future__ import annotations

import cv2
import numpy as np

# The default reader input (height, width); a reader's own size is stored with its weights.
READER_HEIGHT = 32
READER_WIDTH = 128
READER_SIZE = (READER_HEIGHT, READER_WIDTH)

# Detector boxes are tight; the margin keeps edge characters whole when the box
# is a few pixels short, which the reader is trained to expect.
MARGIN_X = 0.06
MARGIN_Y = 0.12
MAX_SKEW_DEG = 12.0


def with_margin(box) -> tuple[float, float, float, float]:
    """The region `crop_plate` cuts around `box`: the box and its margin, in float pixels."""
    x1, y1, x2, y2 = (float(v) for v in box)
    bw, bh = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    return x1 - MARGIN_X * bw, y1 - MARGIN_Y * bh, x2 + MARGIN_X * bw, y2 + MARGIN_Y * bh


def crop_plate(image: np.ndarray, box, deskew: bool = True) -> np.ndarray:
    """The plate region of `image` (BGR or gray) with a margin, rotated level."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = with_margin(box)
    x1, y1, x2, y2 = int(np.floor(x1)), int(np.floor(y1)), int(np.ceil(x2)), int(np.ceil(y2))
    crop = image[max(y1, 0) : min(y2, h), max(x1, 0) : min(x2, w)]
    if crop.size == 0:
        raise ValueError(f"box {box} lies outside the {w}x{h} image")
    # A plate at the frame's edge, or an image that is only the plate, still gets its
    # margin: the reader drops characters that touch the crop's border (it never saw one).
    pad = (max(0, -y1), max(0, y2 - h), max(0, -x1), max(0, x2 - w))
    if any(pad):
        crop = cv2.copyMakeBorder(crop, *pad, cv2.BORDER_REPLICATE)
    if deskew:
        crop = level(crop)
    return np.ascontiguousarray(crop)


def skew_angle(gray: np.ndarray) -> float:
    """Angle (degrees) that makes the text rows horizontal.

    Classic projection-profile deskew: character rows give the sharpest
    horizontal profile when level. Done on a small copy, the profiles of all
    angles scored at once: ~0.3 ms a crop.
    """
    small = cv2.resize(gray, (96, max(8, int(96 * gray.shape[0] / max(gray.shape[1], 1)))))
    edges = np.abs(cv2.Sobel(small.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3))
    size = (small.shape[1], small.shape[0])
    centre = (size[0] / 2, size[1] / 2)
    angles = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.1, 2.0)
    profiles = np.stack(
        [
            cv2.warpAffine(edges, cv2.getRotationMatrix2D(centre, float(a), 1.0), size).sum(axis=1)
            for a in angles
        ]
    )
    return float(angles[int(np.argmax(profiles.var(axis=1)))])


def level(crop: np.ndarray) -> np.ndarray:
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    angle = skew_angle(gray)
    if abs(angle) < 1.0:
        return crop
    h, w = crop.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(crop, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def reader_gray(crop: np.ndarray, size: tuple[int, int] = READER_SIZE) -> np.ndarray:
    """A plate crop (BGR or gray, any size) to uint8 gray [height, width], as the reader reads it."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    return cv2.resize(gray, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def normalise(grays: np.ndarray) -> np.ndarray:
    """Resized gray crops uint8 [N, H, W] to float32 [N, 1, H, W] in -1..1.

    Contrast is stretched per crop between robust percentiles, so a plate in
    a dark garage and one in sunlight reach the network alike.
    """
    f = grays.astype(np.float32)
    lo, hi = np.percentile(f.reshape(len(f), -1), (2, 98), axis=1)
    span = np.maximum(hi - lo, 1.0)
    f = np.clip((f - lo[:, None, None]) / span[:, None, None], 0.0, 1.0)
    return ((f - 0.5) / 0.5).astype(np.float32)[:, None, :, :]


def to_blob(image: np.ndarray) -> np.ndarray:
    """A BGR uint8 image [H, W, 3] to the detector's input: RGB float32 [1, 3, H, W] in 0..1.

    The same values as `cv2.dnn.blobFromImage(image, 1 / 255, swapRB=True)` to the bit,
    at 0.17 ms against 2.7 ms for a 640x384 input on a Zen 4. A frame takes one to four
    detector passes: the median 1280x720 frame is 0.6-1.7 ms faster, its p95 3-5 ms
    (models/HISTORY.md, session 27).
    """
    h, w = image.shape[:2]
    blob = np.empty((1, 3, h, w), np.float32)
    for c, channel in enumerate(reversed(cv2.split(image))):
        blob[0, c] = channel
    blob *= np.float32(1 / 255.0)
    return blob


# A frame whose mean grey is under this (of 255) is a night or underexposed shot.
# The detector finds few plates in one (real-dev darkened: recall 0.80 against 0.93)
# and more once its local contrast is raised (0.85); a lit frame gains nothing and
# can lose plates, so only dark frames are lifted.
DARK_BELOW = 40.0
_CLAHE_CLIP = 2.0


def lift_dark(image: np.ndarray, dark_below: float = DARK_BELOW) -> np.ndarray:
    """`image` (BGR) with CLAHE on its lightness if it is darker than `dark_below`, else itself."""
    if dark_below <= 0 or image.ndim != 3:
        return image
    sample = np.ascontiguousarray(image[::4, ::4])  # the mean of a 1/16 sample, ~0.1 ms
    if cv2.cvtColor(sample, cv2.COLOR_BGR2GRAY).mean() >= dark_below:
        return image
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    lab[..., 0] = cv2.createCLAHE(_CLAHE_CLIP, (8, 8)).apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def letterbox(image: np.ndarray, long_side: int, stride: int = 32):
    """Resize so the long side is at most `long_side` (never upscaled), pad to the stride.

    Returns the padded image and (scale, pad_x, pad_y) to map boxes back.
    Rectangular input keeps a 16:9 frame's cost at ~60 % of a square one.
    """
    h, w = image.shape[:2]
    scale = min(long_side / max(h, w), 1.0)
    nh, nw = int(round(h * scale)), int(round(w * scale))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA) if scale != 1.0 else image
    ph = int(np.ceil(nh / stride) * stride)
    pw = int(np.ceil(nw / stride) * stride)
    pad_y, pad_x = (ph - nh) // 2, (pw - nw) // 2
    out = np.full((ph, pw, 3), 114, dtype=np.uint8)
    out[pad_y : pad_y + nh, pad_x : pad_x + nw] = resized
    return out, (scale, pad_x, pad_y)
