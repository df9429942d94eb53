"""Liveness, readiness (the database answers) and Prometheus metrics."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services.api.app import db_engine

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response | tuple[Response, int]:
    # Ready means the database answers and the recorder has created the schema.
    try:
        with db_engine().connect() as conn:
            conn.execute(text("SELECT 1 FROM plate_reads WHERE 1 = 0"))
    except SQLAlchemyError as exc:
        logger.warning("not ready: %s", str(exc).splitlines()[0])
        return jsonify({"status": "unavailable", "database": "unreachable or not migrated"}), 503
    return jsonify({"status": "ready", "database": "ok"})


@bp.get("/metrics")
def prometheus_metrics() -> Response:
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
