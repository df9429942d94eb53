"""/v1/lists: the site's allow and deny lists (list, add, remove, import CSV).

The passages service re-reads the lists every few seconds, so an edit here
counts for the next car within seconds, without a restart.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import delete, func, select
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge

from services.api.app import db_session, require_api_key
from services.api.reads import _text_param, iso
from shared.lists import LIST_NAMES, MAX_PLATE_CHARS, normalise_plate
from shared.models import ListEntryRow

bp = Blueprint("lists", __name__, url_prefix="/v1/lists")
bp.before_request(require_api_key)

MAX_CSV_BYTES = 1024 * 1024
MAX_NOTE_CHARS = 200
MAX_IMPORT_ERRORS = 50


def _list_name(name: str) -> str:
    if name not in LIST_NAMES:
        raise NotFound(f"no list '{name}'; the lists are {', '.join(LIST_NAMES)}")
    return name


def clean_plate(raw: object) -> str:
    """A normalised plate, or ValueError saying what is wrong with it."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("'plate' must be a non-empty string")
    plate = normalise_plate(raw)
    if len(plate) > MAX_PLATE_CHARS or not plate.isalnum():
        raise ValueError(f"'{raw[:40]}' is not a plate (letters and digits, at most 32)")
    return plate


def _entry_json(row: ListEntryRow) -> dict[str, Any]:
    return {
        "list": row.list_name,
        "plate_text": row.plate_text,
        "note": row.note,
        "created_at": iso(row.created_at),
    }


def _upsert(name: str, plate: str, note: str | None) -> bool:
    """Add an entry, or update its note; True when it is new. Does not commit."""
    session = db_session()
    row = session.scalars(
        select(ListEntryRow).where(ListEntryRow.list_name == name, ListEntryRow.plate_text == plate)
    ).first()
    if row is None:
        session.add(ListEntryRow(list_name=name, plate_text=plate, note=note))
        return True
    row.note = note
    return False


@bp.get("")
def all_lists() -> Response:
    stmt = select(ListEntryRow.list_name, func.count()).group_by(ListEntryRow.list_name)
    counts = dict(db_session().execute(stmt).all())
    return jsonify({"lists": [{"name": n, "count": counts.get(n, 0)} for n in LIST_NAMES]})


@bp.get("/<name>")
def entries(name: str) -> Response:
    stmt = select(ListEntryRow).where(ListEntryRow.list_name == _list_name(name))
    plate = _text_param("plate")
    if plate:
        stmt = stmt.where(ListEntryRow.plate_text.like(f"%{normalise_plate(plate)}%"))
    rows = db_session().scalars(stmt.order_by(ListEntryRow.plate_text).limit(5000)).all()
    return jsonify({"list": name, "items": [_entry_json(r) for r in rows]})


@bp.post("/<name>")
def add_entry(name: str) -> tuple[Response, int]:
    _list_name(name)
    doc = request.get_json(silent=True)
    if not isinstance(doc, dict):
        raise BadRequest('send JSON: {"plate": "AB123CD", "note": "optional"}')
    try:
        plate = clean_plate(doc.get("plate"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    note = doc.get("note")
    if note is not None and (
        not isinstance(note, str) or len(note) > MAX_NOTE_CHARS or "\x00" in note
    ):
        raise BadRequest(f"'note' must be a string of at most {MAX_NOTE_CHARS} characters")
    created = _upsert(name, plate, note)
    db_session().commit()
    body = {"list": name, "plate_text": plate, "note": note, "created": created}
    return jsonify(body), 201 if created else 200


@bp.delete("/<name>/<plate>")
def remove_entry(name: str, plate: str) -> tuple[str, int]:
    if "\x00" in plate:  # Postgres text cannot hold NUL: a 404, not a driver error
        raise NotFound("no such plate")
    session = db_session()
    result = session.execute(
        delete(ListEntryRow).where(
            ListEntryRow.list_name == _list_name(name),
            ListEntryRow.plate_text == normalise_plate(plate),
        )
    )
    session.commit()
    if not result.rowcount:
        raise NotFound(f"'{normalise_plate(plate)}' is not on the {name} list")
    return "", 204


@bp.post("/<name>/import")
def import_csv(name: str) -> Response:
    """CSV rows ``plate[,note]`` (a header row ``plate,note`` is skipped); bad rows reported."""
    _list_name(name)
    if request.content_length and request.content_length > MAX_CSV_BYTES:
        raise RequestEntityTooLarge(f"a list import is at most {MAX_CSV_BYTES} bytes")
    upload = request.files.get("file")
    raw = upload.read(MAX_CSV_BYTES + 1) if upload else request.get_data(cache=False)
    if len(raw) > MAX_CSV_BYTES:
        raise RequestEntityTooLarge(f"a list import is at most {MAX_CSV_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the CSV must be UTF-8 text") from None
    try:
        added, updated, errors = _import_rows(name, csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        db_session().rollback()
        raise BadRequest(f"not a CSV file: {exc}") from None
    db_session().commit()
    return jsonify({"list": name, "added": added, "updated": updated, "errors": errors})


def _import_rows(name: str, rows: Any) -> tuple[int, int, list[dict[str, Any]]]:
    """Upsert each row; count them, and say which lines were refused and why."""
    added = updated = 0
    errors: list[dict[str, Any]] = []
    for line, row in enumerate(rows, 1):
        if not row or not "".join(row).strip():
            continue
        if line == 1 and row[0].strip().lower() == "plate":
            continue
        try:
            plate = clean_plate(row[0])
        except ValueError as exc:
            if len(errors) < MAX_IMPORT_ERRORS:
                errors.append({"line": line, "message": str(exc)})
            continue
        note = row[1].replace("\x00", "").strip()[:MAX_NOTE_CHARS] if len(row) > 1 else ""
        if _upsert(name, plate, note or None):
            added += 1
        else:
            updated += 1
        db_session().flush()
    return added, updated, errors
