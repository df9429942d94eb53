"""Flask gateway: application factory, per-request DB session, API key, JSON errors."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, Unauthorized

from shared import metrics
from shared.db import make_engine, make_sessionmaker

logger = logging.getLogger(__name__)

_EXT = "lpr.db"
SNAPSHOTS_EXT = "lpr.snapshots"  # POST /v1/recognize's SnapshotClient, or None when off


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the gateway. ``config`` overrides; without it, settings come from LPR_* env vars."""
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=None,
        API_KEY=None,
        MAX_LIMIT=500,
        AMQP_URL=None,
        SNAPSHOT_TIMEOUT_S=5.0,
        SNAPSHOT_MAX_BYTES=10 * 1024 * 1024,
        SNAPSHOT_CLIENT=None,  # tests inject a fake here
    )
    if config is None:
        from shared.settings import ApiSettings, load_settings

        settings = load_settings(ApiSettings)
        config = {
            "DATABASE_URL": settings.database_url,
            "API_KEY": settings.api_key.get_secret_value() if settings.api_key else None,
            "MAX_LIMIT": settings.api_max_limit,
            "AMQP_URL": settings.amqp_url,
            "SNAPSHOT_TIMEOUT_S": settings.snapshot_timeout_s,
            "SNAPSHOT_MAX_BYTES": settings.snapshot_max_bytes,
        }
    app.config.update(config)
    if not app.config["DATABASE_URL"]:
        raise ValueError("DATABASE_URL is required")
    app.json.sort_keys = False
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[_EXT] = (engine, make_sessionmaker(engine))
    app.extensions[SNAPSHOTS_EXT] = _snapshot_client(app.config)

    from services.api.dashboard import bp as dashboard_bp
    from services.api.health import bp as health_bp
    from services.api.lists import bp as lists_bp
    from services.api.openapi import bp as openapi_bp
    from services.api.passages import bp as passages_bp
    from services.api.reads import bp as reads_bp
    from services.api.recognize import bp as recognize_bp

    blueprints = (
        reads_bp,
        passages_bp,
        lists_bp,
        recognize_bp,
        health_bp,
        openapi_bp,
        dashboard_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    app.before_request(_start_timer)
    app.after_request(_record_metrics)
    app.teardown_appcontext(_close_session)
    return app


def _snapshot_client(config: dict[str, Any]) -> Any:
    """POST /v1/recognize's broker client (it connects per request, not here); None = off."""
    if config.get("SNAPSHOT_CLIENT") is not None:
        return config["SNAPSHOT_CLIENT"]
    if not config.get("AMQP_URL"):
        return None
    from services.api.snapshot_client import SnapshotClient

    return SnapshotClient(config["AMQP_URL"], float(config["SNAPSHOT_TIMEOUT_S"]))


def db_session() -> Session:
    """The request's DB session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = current_app.extensions[_EXT][1]()
    return g.db


def db_engine() -> Any:
    return current_app.extensions[_EXT][0]


def require_api_key() -> None:
    """before_request hook for the /v1 blueprints."""
    expected = current_app.config.get("API_KEY")
    if not expected:
        return
    given = request.headers.get("X-API-Key", "")
    if not hmac.compare_digest(given.encode(), str(expected).encode()):
        raise Unauthorized("missing or wrong X-API-Key header")


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def error_body(status: int, title: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "title": title, "message": message}}


def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    response = jsonify(error_body(status, exc.name, exc.description or exc.name))
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'ApiKey header="X-API-Key"'
    return response


def _server_error(exc: Exception) -> Any:
    logger.exception("unhandled error on %s", request.path)
    response = jsonify(
        error_body(500, "Internal Server Error", "internal error; see the gateway log")
    )
    response.status_code = 500
    return response


def _start_timer() -> None:
    g.started = time.perf_counter()


def _record_metrics(response: Any) -> Any:
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    metrics.HTTP_REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    if "started" in g:
        metrics.HTTP_SECONDS.labels(endpoint).observe(time.perf_counter() - g.started)
    return response
