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
from shared.lists import normalise_plate
from shared.models import PlateReadRow

bp = Blueprint("reads", __name__, url_prefix="/v1/reads")
bp.before_request(require_api_key)

DEFAULT_LIMIT = 50
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")  # read and passage ids


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


# ---------------------------------------------------------------- shared by every list


def page_limit() -> int:
    return _parse_number("limit", int, 1, current_app.config["MAX_LIMIT"], DEFAULT_LIMIT)


def where_plate_and_camera(stmt: Select, model: Any) -> Select:
    """`plate` (exact, or with * wildcards) and `camera_id` on a table that has both."""
    plate = _text_param("plate")
    if plate:
        if "*" in plate:
            pattern = normalise_plate(plate.replace("*", "\0")).replace("\0", "%")
            stmt = stmt.where(model.plate_text.like(pattern))
        else:
            stmt = stmt.where(model.plate_text == normalise_plate(plate))
    camera_id = _text_param("camera_id")
    if camera_id:
        stmt = stmt.where(model.camera_id == camera_id)
    return stmt


def where_time(stmt: Select, column: Any) -> Select:
    """`since` (inclusive) and `until` (exclusive) on `column`."""
    since, until = _parse_time("since"), _parse_time("until")
    if since and until and since >= until:
        raise BadRequest("'since' must be before 'until'")
    if since:
        stmt = stmt.where(column >= since)
    if until:
        stmt = stmt.where(column < until)
    return stmt


def keyset_page(stmt: Select, model: Any, column: Any, limit: int) -> tuple[list, str | None]:
    """Newest first by (column, id), stable while rows arrive: a page and the next cursor."""
    cursor = request.args.get("cursor")
    if cursor:
        t, last_id = decode_cursor(cursor)
        stmt = stmt.where(or_(column < t, and_(column == t, model.id < last_id)))
    stmt = stmt.order_by(column.desc(), model.id.desc()).limit(limit + 1)
    rows = list(db_session().scalars(stmt))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, column.key), last.id)


def get_by_id(model: Any, id_column: Any, value: str, noun: str, with_crop: bool = False) -> Any:
    """One row by its public hex id (the crop loaded only when asked for), or a 404."""
    if not _HEX_ID.match(value):
        raise NotFound(f"no {noun} with id '{value}' (ids are 32 lowercase hex digits)")
    stmt = select(model).where(id_column == value)
    if with_crop:
        stmt = stmt.options(undefer(model.crop_jpeg))
    row = db_session().scalars(stmt).first()
    if row is None:
        raise NotFound(f"no {noun} with id '{value}'")
    return row


# ---------------------------------------------------------------- /v1/reads


def _filtered_query() -> Select:
    stmt = where_plate_and_camera(select(PlateReadRow), PlateReadRow)
    stmt = where_time(stmt, PlateReadRow.captured_at)
    min_conf = _parse_number("min_confidence", float, 0.0, 1.0, None)
    if min_conf is not None:
        stmt = stmt.where(PlateReadRow.confidence >= min_conf)
    return stmt


@bp.get("")
def list_reads() -> Response:
    """Newest first by capture time."""
    limit = page_limit()
    rows, next_cursor = keyset_page(
        _filtered_query(), PlateReadRow, PlateReadRow.captured_at, limit
    )
    return jsonify({"items": [read_to_json(r) for r in rows], "next_cursor": next_cursor})


def _get_row(read_id: str, with_crop: bool = False) -> PlateReadRow:
    return get_by_id(PlateReadRow, PlateReadRow.read_id, read_id, "read", with_crop)


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
