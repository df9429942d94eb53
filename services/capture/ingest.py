"""HTTP ingest for cameras that push snapshots: POST /v1/frames with a JPEG (or PNG) body.

The frame is published like a captured one; the answer comes once the broker
confirmed it (202), so a camera can retry on 503.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from services.capture.publisher import FrameDropped
from services.capture.worker import FrameSubmitter
from shared.images import ImageError, decode_image, encode_jpeg, is_jpeg
from shared.messages import FrameMeta, new_frame_id, utcnow
from shared.settings import CAMERA_ID_PATTERN

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
CONFIRM_TIMEOUT_S = 10.0
_CAMERA_ID = re.compile(CAMERA_ID_PATTERN)


def _prepare(body: bytes, jpeg_quality: int) -> tuple[bytes, int, int]:
    """Decode to check it and learn its size; re-encode only what is not JPEG already."""
    image = decode_image(body)
    height, width = image.shape[:2]
    return (body if is_jpeg(body) else encode_jpeg(image, jpeg_quality)), width, height


def create_ingest_app(
    submitter: FrameSubmitter,
    default_camera_id: str,
    jpeg_quality: int = 90,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    app = FastAPI(title="LPR frame ingest", version="1.0.0")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/frames", status_code=202)
    async def post_frame(request: Request, camera_id: str | None = None) -> dict[str, str]:
        captured_at = clock()
        camera = camera_id or request.headers.get("x-camera-id") or default_camera_id
        if not _CAMERA_ID.match(camera):
            raise HTTPException(400, f"camera_id must match {CAMERA_ID_PATTERN}")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"image larger than {MAX_BODY_BYTES} bytes")
        try:
            jpeg, width, height = await run_in_threadpool(_prepare, body, jpeg_quality)
        except ImageError as exc:
            raise HTTPException(400, str(exc)) from exc
        meta = FrameMeta(
            camera_id=camera,
            frame_id=new_frame_id(),
            captured_at=captured_at,
            width=width,
            height=height,
        )
        future = submitter.submit(meta, jpeg)
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), CONFIRM_TIMEOUT_S)
        except (TimeoutError, FrameDropped) as exc:
            raise HTTPException(503, "frame not published (broker busy or away); retry") from exc
        except Exception as exc:  # noqa: BLE001 - any publish failure is a 503 to the camera
            logger.warning("ingest publish failed: %s", exc)
            raise HTTPException(503, "frame not published; retry") from exc
        return {
            "frame_id": meta.frame_id,
            "camera_id": camera,
            "captured_at": meta.captured_at.isoformat(),
        }

    return app
