"""/v1/passages: one row per vehicle passage (filtered, keyset-paginated), one passage, its crop."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import undefer
from werkzeug.exceptions import BadRequest, NotFound

from services.api.app import db_session, require_api_key
from services.api.reads import (
    DEFAULT_LIMIT,
    _parse_number,
    _parse_time,
    _text_param,
    decode_cursor,
    encode_cursor,
    iso,
    normalise_plate,
)
from shared.models import PassageRow

bp = Blueprint("passages", __name__, url_prefix="/v1/passages")
bp.before_request(require_api_key)

_PASSAGE_ID = re.compile(r"^[0-9a-f]{32}$")
DECISIONS = ("allow", "deny", "unknown")


def passage_to_json(row: PassageRow) -> dict[str, Any]:
    """A stored passage in the shape of the passage event (without the crop bytes)."""
    match = (
        {"list_name": row.list_name, "plate_text": row.list_plate, "distance": row.list_distance}
        if row.list_name
        else None
    )
    return {
        "passage_id": row.passage_id,
        "camera_id": row.camera_id,
        "status": row.status,
        "plate_text": row.plate_text,
        "confidence": row.confidence,
        "format": row.format,
        "first_seen": iso(row.first_seen),
        "last_seen": iso(row.last_seen),
        "read_count": row.read_count,
        "best_read_id": row.best_read_id,
        "list_match": match,
        "decision": row.decision,
        "announced_at": iso(row.announced_at),
        "closed_at": iso(row.closed_at),
        "crop_url": f"/v1/passages/{row.passage_id}/crop.jpg",
    }


def _filtered() -> Select:
    stmt = select(PassageRow)
    plate = _text_param("plate")
    if plate:
        if "*" in plate:
            pattern = normalise_plate(plate.replace("*", "\0")).replace("\0", "%")
            stmt = stmt.where(PassageRow.plate_text.like(pattern))
        else:
            stmt = stmt.where(PassageRow.plate_text == normalise_plate(plate))
    camera_id = _text_param("camera_id")
    if camera_id:
        stmt = stmt.where(PassageRow.camera_id == camera_id)
    decision = _text_param("decision")
    if decision:
        if decision not in DECISIONS:
            raise BadRequest(f"'decision' must be one of {', '.join(DECISIONS)}")
        stmt = stmt.where(PassageRow.decision == decision)
    since, until = _parse_time("since"), _parse_time("until")
    if since and until and since >= until:
        raise BadRequest("'since' must be before 'until'")
    if since:
        stmt = stmt.where(PassageRow.first_seen >= since)
    if until:
        stmt = stmt.where(PassageRow.first_seen < until)
    return stmt


@bp.get("")
def list_passages() -> Response:
    """Newest first (by first sighting); keyset pagination on (first_seen, id)."""
    limit = _parse_number("limit", int, 1, current_app.config["MAX_LIMIT"], DEFAULT_LIMIT)
    stmt = _filtered()
    cursor = request.args.get("cursor")
    if cursor:
        t, last_id = decode_cursor(cursor)
        col = PassageRow.first_seen
        stmt = stmt.where(or_(col < t, and_(col == t, PassageRow.id < last_id)))
    stmt = stmt.order_by(PassageRow.first_seen.desc(), PassageRow.id.desc()).limit(limit + 1)
    rows = list(db_session().scalars(stmt))
    next_cursor = (
        encode_cursor(rows[limit - 1].first_seen, rows[limit - 1].id) if len(rows) > limit else None
    )
    return jsonify(
        {"items": [passage_to_json(r) for r in rows[:limit]], "next_cursor": next_cursor}
    )


def _get(passage_id: str, with_crop: bool = False) -> PassageRow:
    if not _PASSAGE_ID.match(passage_id):
        raise NotFound(f"no passage with id '{passage_id}' (ids are 32 lowercase hex digits)")
    stmt = select(PassageRow).where(PassageRow.passage_id == passage_id)
    if with_crop:
        stmt = stmt.options(undefer(PassageRow.crop_jpeg))
    row = db_session().scalars(stmt).first()
    if row is None:
        raise NotFound(f"no passage with id '{passage_id}'")
    return row


@bp.get("/<passage_id>")
def get_passage(passage_id: str) -> Response:
    return jsonify(passage_to_json(_get(passage_id)))


@bp.get("/<passage_id>/crop.jpg")
def get_crop(passage_id: str) -> Response:
    row = _get(passage_id, with_crop=True)
    if not row.crop_jpeg:
        raise NotFound(f"passage '{passage_id}' has no stored crop")
    # The best crop may still change while the passage is open: cache briefly only.
    response = Response(row.crop_jpeg, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
