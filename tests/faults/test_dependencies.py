"""Guarantees 1 and 2: the broker drops every connection, Postgres goes away for a minute.

Each service must notice, say so on /readyz, reconnect by itself with capped
backoff and resume; no read may be lost or stored twice, and while Postgres
is away the reads wait on the (durable) queues, plates.recognized included.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import make_url

from shared.topology import QUEUE_PLATES_RECOGNIZED
from tests.faults.harness import (
    TcpProxy,
    close_vhost_connections,
    connection_count,
    env_seconds,
    proxied_url,
)
from tests.faults.oracle import report, stored_rows
from tests.faults.scenario import WORKERS, finish, pipeline, start_workers, wait_progress
from tests.pipeline.helpers import channel, queue_depth, wait_for

pytestmark = pytest.mark.faults

ALL = [f"{name}.0" for name in WORKERS] + ["capture.0"]


def test_broker_drops_every_connection(amqp_url: str, database_url: str, tmp_path: Path) -> None:
    with pipeline(amqp_url, database_url, tmp_path, "B", frames=90, fps=6) as pipe:
        start_workers(pipe)
        pipe.start("capture")
        recovery = []
        stored = 0
        for _ in range(2):
            stored = wait_progress(database_url, stored + 20)
            before = close_vhost_connections(amqp_url)
            cut_at = time.monotonic()
            # Back when every service is ready and holds its connection(s) again.
            wait_for(lambda: all(pipe.readiness(k)[0] == 200 for k in ALL), timeout=60)
            wait_for(lambda n=before: connection_count(amqp_url) >= n, timeout=60, interval=0.5)
            recovery.append(round(time.monotonic() - cut_at, 2))
        verdict = finish(pipe, amqp_url, database_url)
    report("broker_connections_dropped", {**verdict.figures, "recovery_s": recovery})
    assert not verdict.problems, verdict.problems
    assert verdict.figures["reads_stored"] >= 80


def test_postgres_unreachable_for_a_minute(
    amqp_url: str, database_url: str, tmp_path: Path
) -> None:
    outage_s = env_seconds("LPR_FAULT_DB_OUTAGE_S", 60)
    target = make_url(database_url)
    proxy = TcpProxy((target.host or "127.0.0.1", target.port or 5432))
    try:
        with pipeline(
            amqp_url,
            database_url,
            tmp_path,
            "D",
            frames=80,
            fps=4,
            # Only the recorder goes through the proxy; the test reads Postgres directly.
            LPR_DATABASE_URL=proxied_url(database_url, proxy.port),
        ) as pipe:
            start_workers(pipe)
            pipe.start("capture")
            stored_before = wait_progress(database_url, 10)
            proxy.cut()
            cut_at = time.monotonic()
            seen_down = wait_for(lambda: _database_down(pipe), timeout=20)
            noticed_s = round(time.monotonic() - cut_at, 2)
            with channel(amqp_url) as ch:
                waiting_start = queue_depth(ch, QUEUE_PLATES_RECOGNIZED)
            time.sleep(max(outage_s - (time.monotonic() - cut_at), 0))  # the outage itself
            with channel(amqp_url) as ch:
                waiting_end = queue_depth(ch, QUEUE_PLATES_RECOGNIZED)
            stored_during = len(stored_rows(database_url)) - stored_before
            proxy.restore()
            restored_at = time.monotonic()
            pipe.wait_ready("recorder.0", timeout=60)
            recovery_s = round(time.monotonic() - restored_at, 2)
            verdict = finish(pipe, amqp_url, database_url)
            drained_s = round(time.monotonic() - restored_at, 2)
    finally:
        proxy.close()
    report(
        "postgres_unreachable",
        {
            **verdict.figures,
            "outage_s": outage_s,
            "readyz_noticed_s": noticed_s,
            "readyz_while_down": seen_down,
            "plates_recognized_depth_during_outage": [waiting_start, waiting_end],
            "rows_stored_during_outage": stored_during,
            "recovery_s": recovery_s,
            "backlog_stored_s": drained_s,
        },
    )
    assert not verdict.problems, verdict.problems
    assert stored_during <= 1  # at most the one commit that was on the wire at the cut
    assert waiting_end > waiting_start  # reads kept arriving for the backend meanwhile
    assert verdict.figures["reads_stored"] >= 80


def _database_down(pipe) -> dict | None:  # noqa: ANN001
    status, body = pipe.readiness("recorder.0")
    checks = body.get("checks", {})
    return checks if status == 503 and checks.get("database") == "down" else None
