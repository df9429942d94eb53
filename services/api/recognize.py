"""POST /v1/recognize: the plates of one still (a barrier loop's trigger), answered synchronously.

The image goes through the same detector and recognizer replicas as the camera frames
(see shared/snapshot.py). Its reads are answered to the caller only: not published on
``plates.recognized``, not stored, not counted as passages.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import (
    BadRequest,
    GatewayTimeout,
    RequestEntityTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)

from services.api.app import SNAPSHOTS_EXT, require_api_key
from services.api.snapshot_client import SnapshotTimeout, SnapshotUnavailable
from shared import metrics
from shared.images import ImageError, decode_image

bp = Blueprint("recognize", __name__, url_prefix="/v1")
bp.before_request(require_api_key)


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"the image is over the {limit}-byte limit")


def _image_from_request(limit: int) -> tuple[bytes, str]:
    """The uploaded image bytes and their content type; 4xx for anything else."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        # Werkzeug refuses a chunked form over this while parsing (413), before it is all read.
        request.max_content_length = limit + 64 * 1024  # the multipart framing around it
        upload = request.files.get("image")
        if upload is None:
            raise BadRequest("multipart body has no file field 'image'")
        data = upload.stream.read(limit + 1)
        mimetype = upload.mimetype or "application/octet-stream"
    elif mimetype.startswith("image/"):
        # Chunked bodies have no Content-Length: read one byte past the limit to tell.
        data = request.stream.read(limit + 1)
    else:
        raise UnsupportedMediaType(
            f"send the image as the body with an image/* Content-Type, or as the multipart "
            f"field 'image' (got '{mimetype or 'no Content-Type'}')"
        )
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise BadRequest("the image is empty")
    return data, mimetype


@bp.post("/recognize")
def recognize() -> Response:
    started = time.perf_counter()
    data, mimetype = _image_from_request(current_app.config["SNAPSHOT_MAX_BYTES"])
    try:
        # Decoded here as well as in the detector: a caller learns now that its file is not an
        # image (400), and the frame metadata needs the size. A few ms beside the model forward.
        height, width = decode_image(data).shape[:2]
    except ImageError as exc:
        raise BadRequest(f"not a decodable image: {exc}") from None
    client = current_app.extensions.get(SNAPSHOTS_EXT)
    if client is None:
        raise ServiceUnavailable("snapshots are off: the gateway has no LPR_AMQP_URL")
    try:
        result = client.recognize(data, mimetype, width, height)
    except SnapshotTimeout as exc:
        metrics.SNAPSHOT_SECONDS.labels("timeout").observe(time.perf_counter() - started)
        raise GatewayTimeout(str(exc)) from None
    except SnapshotUnavailable as exc:
        metrics.SNAPSHOT_SECONDS.labels("unavailable").observe(time.perf_counter() - started)
        raise ServiceUnavailable(str(exc)) from None
    elapsed = time.perf_counter() - started
    metrics.SNAPSHOT_SECONDS.labels("ok").observe(elapsed)
    return jsonify(
        {
            "snapshot_id": result.snapshot_id,
            "plates": [p.model_dump(mode="json") for p in result.plates],
            "latency_ms": round(elapsed * 1000, 2),
        }
    )
