"""/v1/reads: list (filtered, keyset-paginated), one read, its crop."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import undefer
from werkzeug.exceptions import BadRequest, NotFound

from services.api.app import db_session, require_api_key
from shared.models import PlateReadRow

bp = Blueprint("reads", __name__, url_prefix="/v1/reads")
bp.before_request(require_api_key)

DEFAULT_LIMIT = 50
_READ_ID = re.compile(r"^[0-9a-f]{32}$")
_PLATE_NOISE = re.compile(r"[\s\-_.·]+")


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def read_to_json(row: PlateReadRow) -> dict[str, Any]:
    """A stored read in the shape of the message contract (plus crop_url and created_at)."""
    return {
        "schema_version": row.schema_version,
        "read_id": row.read_id,
        "camera_id": row.camera_id,
        "frame_id": row.frame_id,
        "captured_at": iso(row.captured_at),
        "recognized_at": iso(row.recognized_at),
        "plate_text": row.plate_text,
        "confidence": row.confidence,
        "char_confidences": row.char_confidences,
        "box": row.box,
        "detector_confidence": row.detector_confidence,
        "format": row.format,
        "candidates": row.candidates,
        "model_versions": {"detector": row.detector_version, "recognizer": row.recognizer_version},
        "latency_ms": row.latency_ms,
        "created_at": iso(row.created_at),
        "crop_url": f"/v1/reads/{row.read_id}/crop.jpg",
    }


def normalise_plate(text: str) -> str:
    return _PLATE_NOISE.sub("", text).upper()


def _parse_time(name: str) -> datetime | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(
            raw.replace(" ", "+")
        )  # a bare "+" in a query string arrives as a space
    except ValueError:
        raise BadRequest(f"'{name}' must be an ISO 8601 time, e.g. 2024-05-01T08:00:00Z") from None
    # A time without a zone is taken as UTC, the zone of every stored time.
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise BadRequest(f"'{name}' is out of the representable range") from None


def _parse_number(name: str, kind: type, low: float, high: float, default: Any) -> Any:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a {kind.__name__}") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}")
    return value


def encode_cursor(at: datetime, row_id: int) -> str:
    """Keyset cursor (sort time, row id), shared by every paginated list of the gateway."""
    raw = json.dumps({"t": iso(at), "id": row_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        doc = json.loads(raw)
        return datetime.fromisoformat(doc["t"]).astimezone(UTC), int(doc["id"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadRequest("'cursor' is not a cursor this API returned") from None


def _text_param(name: str) -> str:
    value = request.args.get(name, "").strip()
    # Postgres text cannot hold NUL and the driver raises on it (a 500): refuse it as input.
    if "\x00" in value:
        raise BadRequest(f"'{name}' must not contain NUL characters")
    return value


def _filtered_query() -> Select:
    stmt = select(PlateReadRow)
    plate = _text_param("plate")
    if plate:
        if "*" in plate:
            pattern = normalise_plate(plate.replace("*", "\0")).replace("\0", "%")
            stmt = stmt.where(PlateReadRow.plate_text.like(pattern))
        else:
            stmt = stmt.where(PlateReadRow.plate_text == normalise_plate(plate))
    camera_id = _text_param("camera_id")
    if camera_id:
        stmt = stmt.where(PlateReadRow.camera_id == camera_id)
    since, until = _parse_time("since"), _parse_time("until")
    if since and until and since >= until:
        raise BadRequest("'since' must be before 'until'")
    if since:
        stmt = stmt.where(PlateReadRow.captured_at >= since)
    if until:
        stmt = stmt.where(PlateReadRow.captured_at < until)
    min_conf = _parse_number("min_confidence", float, 0.0, 1.0, None)
    if min_conf is not None:
        stmt = stmt.where(PlateReadRow.confidence >= min_conf)
    return stmt


@bp.get("")
def list_reads() -> Response:
    """Newest first; keyset pagination on (captured_at, id), stable while rows arrive."""
    limit = _parse_number("limit", int, 1, current_app.config["MAX_LIMIT"], DEFAULT_LIMIT)
    stmt = _filtered_query()
    cursor = request.args.get("cursor")
    if cursor:
        t, last_id = decode_cursor(cursor)
        col = PlateReadRow.captured_at
        stmt = stmt.where(or_(col < t, and_(col == t, PlateReadRow.id < last_id)))
    stmt = stmt.order_by(PlateReadRow.captured_at.desc(), PlateReadRow.id.desc()).limit(limit + 1)
    rows = list(db_session().scalars(stmt))
    next_cursor = (
        encode_cursor(rows[limit - 1].captured_at, rows[limit - 1].id)
        if len(rows) > limit
        else None
    )
    return jsonify({"items": [read_to_json(r) for r in rows[:limit]], "next_cursor": next_cursor})


def _get_row(read_id: str, with_crop: bool = False) -> PlateReadRow:
    if not _READ_ID.match(read_id):
        raise NotFound(f"no read with id '{read_id}' (ids are 32 lowercase hex digits)")
    stmt = select(PlateReadRow).where(PlateReadRow.read_id == read_id)
    if with_crop:
        stmt = stmt.options(undefer(PlateReadRow.crop_jpeg))
    row = db_session().scalars(stmt).first()
    if row is None:
        raise NotFound(f"no read with id '{read_id}'")
    return row


@bp.get("/<read_id>")
def get_read(read_id: str) -> Response:
    return jsonify(read_to_json(_get_row(read_id)))


@bp.get("/<read_id>/crop.jpg")
def get_crop(read_id: str) -> Response:
    row = _get_row(read_id, with_crop=True)
    if not row.crop_jpeg:
        raise NotFound(f"read '{read_id}' has no stored crop")
    response = Response(row.crop_jpeg, mimetype="image/jpeg")
    # A read never changes once stored.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
