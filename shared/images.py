"""JPEG encode/decode with errors that say what went wrong."""

from __future__ import annotations

import numpy as np


class ImageError(ValueError):
    """The bytes are not a decodable image, or the array cannot be encoded."""


def _cv2():  # noqa: ANN202 - imported lazily: the gateway and recorder never touch pixels
    import cv2

    return cv2


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        shape = getattr(image, "shape", None)
        raise ImageError(f"cannot encode an image of shape {shape}")
    if image.dtype != np.uint8:
        raise ImageError(f"cannot encode an image of dtype {image.dtype}, expected uint8")
    cv2 = _cv2()
    ok, buf = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    if not ok:
        raise ImageError(f"JPEG encoding failed for an image of shape {image.shape}")
    return buf.tobytes()


def decode_image(data: bytes) -> np.ndarray:
    """Decode JPEG (or PNG/BMP) bytes into a BGR uint8 array."""
    if not data:
        raise ImageError("empty image body")
    cv2 = _cv2()
    arr = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(arr, cv2.IMREAD_COLOR)
    if image is None:
        head = data[:8].hex()
        raise ImageError(f"cannot decode {len(data)} bytes as an image (starts with {head})")
    return image


def is_jpeg(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff"
