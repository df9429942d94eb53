"""Photometric and occlusion degradations: bad light, blur, noise, JPEG, dirt, bars.

Every function takes the rng it must use, so a seed reproduces an image
exactly. Plate-level effects (occlusion, dirt) take the plate quad so they
land on the plate; frame-level effects act on the whole image.
"""

from __future__ import annotations

import cv2
import numpy as np


def _blob_mask(rng: np.random.Generator, shape, centre, radius: float) -> np.ndarray:
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sx = radius * rng.uniform(0.6, 1.6)
    sy = radius * rng.uniform(0.4, 1.0)
    return np.exp(-(((xx - centre[0]) / sx) ** 2 + ((yy - centre[1]) / sy) ** 2))


def lighting(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """One lighting condition: day, dusk, night, low contrast, glare, shadow or headlights."""
    f = img.astype(np.float32)
    h, w = img.shape[:2]
    kind = rng.choice(
        ["day", "dusk", "night", "low_contrast", "glare", "shadow", "headlights"],
        p=[0.30, 0.12, 0.14, 0.12, 0.12, 0.12, 0.08],
    )
    if kind == "day":
        f = f * rng.uniform(0.8, 1.25) + rng.uniform(-25, 25)
    elif kind == "dusk":
        f = f * rng.uniform(0.35, 0.6) + rng.uniform(-10, 10)
    elif kind == "night":
        # Dark, bluish or sodium-orange, with the plate lit by the car's lamp.
        tint = np.array(rng.choice([[1.2, 0.9, 0.7], [0.6, 0.85, 1.25], [1, 1, 1]]), np.float32)
        f = f * rng.uniform(0.12, 0.35) * tint
        lamp = _blob_mask(rng, img.shape, (rng.uniform(0, w), rng.uniform(0, h)), max(h, w) * 0.4)
        f = f * (1 + 2.0 * lamp[..., None] * rng.uniform(0.2, 1.0))
    elif kind == "low_contrast":
        mean = f.mean()
        f = mean + (f - mean) * rng.uniform(0.2, 0.45) + rng.uniform(-40, 40)
    elif kind == "glare":
        centre = (rng.uniform(0, w), rng.uniform(0, h))
        f = (
            f
            + 255
            * rng.uniform(0.5, 1.2)
            * _blob_mask(rng, img.shape, centre, max(h, w) * rng.uniform(0.1, 0.35))[..., None]
        )
    elif kind == "shadow":
        pts = rng.uniform([0, 0], [w, h], size=(int(rng.integers(3, 6)), 2)).astype(np.int32)
        mask = np.zeros((h, w), np.float32)
        cv2.fillPoly(mask, [cv2.convexHull(pts)], 1.0)
        if rng.random() < 0.5:  # a straight shadow edge, as from a barrier or a roof
            x0 = rng.uniform(0, w)
            mask = (
                np.arange(w)[None, :] > x0 + (np.arange(h)[:, None] - h / 2) * rng.uniform(-1, 1)
            ).astype(np.float32)
        mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, rng.uniform(0.5, 4)))
        f = f * (1 - mask[..., None] * rng.uniform(0.4, 0.8))
    else:  # headlights: dark scene, two bright blooms
        f = f * rng.uniform(0.2, 0.5)
        y = rng.uniform(0, h)
        spread = rng.uniform(0.15, 0.45) * w
        cx = rng.uniform(0, w)
        for x in (cx - spread / 2, cx + spread / 2):
            f = (
                f
                + 255
                * 1.5
                * _blob_mask(rng, img.shape, (x, y), max(h, w) * rng.uniform(0.05, 0.15))[..., None]
            )
    if rng.random() < 0.5:
        gamma = rng.uniform(0.6, 1.6)
        f = 255 * (np.clip(f, 0, 255) / 255) ** gamma
    return np.clip(f, 0, 255).astype(np.uint8)


def blur(rng: np.random.Generator, img: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Defocus or motion blur, sized to the image (strength scales both)."""
    kind = rng.choice(["none", "defocus", "motion"], p=[0.4, 0.35, 0.25])
    if kind == "defocus":
        sigma = rng.uniform(0.3, 1.6) * strength
        return cv2.GaussianBlur(img, (0, 0), sigma)
    if kind == "motion":
        length = int(rng.integers(3, 4 + int(6 * strength)))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0
        m = cv2.getRotationMatrix2D(
            (length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1.0
        )
        kernel = cv2.warpAffine(kernel, m, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        return cv2.filter2D(img, -1, kernel)
    return img


def noise(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    sigma = rng.choice([0.0, rng.uniform(2, 8), rng.uniform(8, 20)], p=[0.3, 0.5, 0.2])
    if sigma == 0:
        return img
    # Sensor noise is stronger in dark pixels (gain), so scale it by darkness.
    darkness = 1.5 - img.astype(np.float32).mean(axis=2, keepdims=True) / 255
    n = rng.normal(0, sigma, img.shape[:2] + (1,)).astype(np.float32) * darkness
    return np.clip(img.astype(np.float32) + n, 0, 255).astype(np.uint8)


def jpeg(rng: np.random.Generator, img: np.ndarray, low: int = 20, high: int = 95) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(low, high))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else img


def occlude_plate(rng: np.random.Generator, img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Partial occlusion over the plate: a bar, a band, a tow hitch or dirt.

    Sized so that every character stays readable by a person: bars are thin,
    bands cover at most the top or bottom fifth, the hitch a lower corner of
    a character or two.
    """
    img = img.copy()
    x1, y1 = quad.min(axis=0)
    x2, y2 = quad.max(axis=0)
    pw, ph = x2 - x1, y2 - y1
    kind = rng.choice(["bar", "band", "hitch", "dirt"])
    colour = tuple(int(c) for c in rng.integers(0, 90, 3))
    if kind == "bar":  # a barrier arm or a pole in front of the plate
        if rng.random() < 0.5:
            x = rng.uniform(x1, x2)
            thick = max(1, int(pw * rng.uniform(0.015, 0.04)))
            cv2.line(
                img,
                (int(x), int(y1 - ph)),
                (int(x + rng.uniform(-0.2, 0.2) * ph), int(y2 + ph)),
                colour,
                thick,
            )
        else:
            y = rng.uniform(y1, y2)
            thick = max(1, int(ph * rng.uniform(0.05, 0.1)))
            cv2.line(
                img,
                (int(x1 - pw), int(y)),
                (int(x2 + pw), int(y + rng.uniform(-0.1, 0.1) * pw)),
                colour,
                thick,
            )
    elif kind == "band":
        band = ph * rng.uniform(0.08, 0.2)
        top = rng.random() < 0.5
        ya, yb = (y1 - band, y1 + band) if top else (y2 - band, y2 + band)
        cv2.rectangle(img, (int(x1 - 0.1 * pw), int(ya)), (int(x2 + 0.1 * pw), int(yb)), colour, -1)
    elif kind == "hitch":
        cx = rng.uniform(x1 + 0.3 * pw, x2 - 0.3 * pw)
        r = max(2, int(ph * rng.uniform(0.12, 0.22)))
        cv2.rectangle(
            img,
            (int(cx - r * 0.5), int(y2 - 0.1 * ph)),
            (int(cx + r * 0.5), int(y2 + ph)),
            colour,
            -1,
        )
        cv2.circle(img, (int(cx), int(y2 - 0.1 * ph)), r, colour, -1)
    else:  # dirt: translucent brown blotches
        overlay = img.copy()
        for _ in range(int(rng.integers(3, 12))):
            c = (int(rng.uniform(x1, x2)), int(rng.uniform(y1, y2)))
            axes = (
                max(1, int(pw * rng.uniform(0.02, 0.08))),
                max(1, int(ph * rng.uniform(0.05, 0.2))),
            )
            cv2.ellipse(overlay, c, axes, float(rng.uniform(0, 180)), 0, 360, (30, 60, 90), -1)
        a = rng.uniform(0.3, 0.6)
        img = cv2.addWeighted(overlay, a, img, 1 - a, 0)
    return img


def degrade(rng: np.random.Generator, img: np.ndarray, blur_strength: float = 1.0) -> np.ndarray:
    """The frame-level chain in camera order: light, optics, sensor, compression."""
    img = lighting(rng, img)
    img = blur(rng, img, blur_strength)
    img = noise(rng, img)
    return jpeg(rng, img)


def mild(rng: np.random.Generator, img: np.ndarray, blur_strength: float = 1.0) -> np.ndarray:
    """Daylight, a little defocus and noise: most real parking photos look like this.

    The full chain (`degrade`) spends most samples on hard conditions; a share
    of mild ones keeps the reader sharp on the ordinary case.
    """
    f = img.astype(np.float32) * rng.uniform(0.75, 1.2) + rng.uniform(-30, 30)
    mean = f.mean()
    f = mean + (f - mean) * rng.uniform(0.6, 1.1)
    img = np.clip(f, 0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.0) * max(blur_strength, 0.5))
    img = noise(rng, img)
    return jpeg(rng, img, 50, 95)
