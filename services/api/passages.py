"""/v1/passages: one row per vehicle passage (filtered, keyset-paginated), one passage, its crop."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import Select, select
from werkzeug.exceptions import BadRequest, NotFound

from services.api.app import require_api_key
from services.api.reads import (
    _text_param,
    get_by_id,
    iso,
    keyset_page,
    page_limit,
    where_plate_and_camera,
    where_time,
)
from shared.models import PassageRow

bp = Blueprint("passages", __name__, url_prefix="/v1/passages")
bp.before_request(require_api_key)

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
    stmt = where_plate_and_camera(select(PassageRow), PassageRow)
    decision = _text_param("decision")
    if decision:
        if decision not in DECISIONS:
            raise BadRequest(f"'decision' must be one of {', '.join(DECISIONS)}")
        stmt = stmt.where(PassageRow.decision == decision)
    return where_time(stmt, PassageRow.first_seen)


@bp.get("")
def list_passages() -> Response:
    """Newest first by first sighting."""
    limit = page_limit()
    rows, next_cursor = keyset_page(_filtered(), PassageRow, PassageRow.first_seen, limit)
    return jsonify({"items": [passage_to_json(r) for r in rows], "next_cursor": next_cursor})


def _get(passage_id: str, with_crop: bool = False) -> PassageRow:
    return get_by_id(PassageRow, PassageRow.passage_id, passage_id, "passage", with_crop)


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
