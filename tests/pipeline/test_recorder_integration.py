"""Recorder against a real RabbitMQ and Postgres: store, dedupe, dead-letter, run as a process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from services.recorder.worker import RecorderWorker
from shared.broker import Delivery, TransientError
from shared.consumer import ERROR_HEADER, Consumer
from shared.db import make_engine, make_sessionmaker
from shared.models import PlateReadRow
from shared.topology import EXCHANGE_RECOGNIZED, QUEUE_DEAD_LETTER, QUEUE_RECORDER_READS
from tests.infra import ROOT
from tests.pipeline.helpers import channel, get_all, make_read, queue_depth, running, send, wait_for

pytestmark = pytest.mark.integration


def _count(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(PlateReadRow)).scalar_one()


def test_reads_are_stored_once_and_acked(amqp_url: str, migrated_db: str) -> None:
    engine = make_engine(migrated_db)
    stop = threading.Event()
    consumer = Consumer(
        amqp_url, QUEUE_RECORDER_READS, RecorderWorker(make_sessionmaker(engine), stop).handle
    )
    first, second = make_read("AB123CD"), make_read("ZZ999ZZ", camera_id="cam2")
    with running(consumer), channel(amqp_url) as ch:
        for msg in (first, second, first):  # the third is a redelivered duplicate
            send(ch, EXCHANGE_RECOGNIZED, msg.camera_id, msg.to_json_bytes())
        wait_for(lambda: queue_depth(ch, QUEUE_RECORDER_READS) == 0 and _count(engine) == 2)
    with make_sessionmaker(engine)() as session:
        row = session.scalars(
            select(PlateReadRow).where(PlateReadRow.read_id == first.read_id)
        ).one()
        assert row.plate_text == "AB123CD"
        assert row.captured_at == first.captured_at
        assert row.crop_jpeg and row.crop_jpeg[:3] == b"\xff\xd8\xff"
        assert row.detector_version == "det-test"
    assert _count(engine) == 2
    engine.dispose()


def test_invalid_read_is_dead_lettered_not_stored(amqp_url: str, migrated_db: str) -> None:
    engine = make_engine(migrated_db)
    consumer = Consumer(
        amqp_url,
        QUEUE_RECORDER_READS,
        RecorderWorker(make_sessionmaker(engine), threading.Event()).handle,
    )
    bad = make_read().model_dump(mode="json") | {"confidence": 3.5}
    with running(consumer), channel(amqp_url) as ch:
        send(ch, EXCHANGE_RECOGNIZED, "cam1", json.dumps(bad).encode())
        send(ch, EXCHANGE_RECOGNIZED, "cam1", b"not json at all")
        dead = get_all(ch, QUEUE_DEAD_LETTER, 2)
        reasons = sorted(m[1].headers[ERROR_HEADER] for m in dead)
        assert "confidence" in reasons[0] and reasons[0].startswith("invalid read")
        assert all(r.startswith("invalid read") for r in reasons)
    assert _count(engine) == 0
    engine.dispose()


def test_database_outage_keeps_the_message_for_later(amqp_url: str) -> None:
    """With the DB away the handler waits and retries; at shutdown it asks for a requeue."""
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:1/nothing")
    stop = threading.Event()
    worker = RecorderWorker(make_sessionmaker(engine), stop)
    threading.Timer(1.5, stop.set).start()
    delivery = Delivery(make_read().to_json_bytes(), {}, "cam1", EXCHANGE_RECOGNIZED, False)
    with pytest.raises(TransientError):
        worker.handle(delivery)


def test_recorder_process_migrates_consumes_and_stops_on_sigterm(
    amqp_url: str, database_url: str
) -> None:
    env = os.environ | {
        "LPR_AMQP_URL": amqp_url,
        "LPR_DATABASE_URL": database_url,
        "LPR_LOG_LEVEL": "debug",
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.recorder"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        engine = make_engine(database_url)
        msg = make_read("KL55MN")
        with channel(amqp_url) as ch:
            send(ch, EXCHANGE_RECOGNIZED, msg.camera_id, msg.to_json_bytes())
            wait_for(lambda: _safe_count(engine) == 1, timeout=30)
            wait_for(lambda: queue_depth(ch, QUEUE_RECORDER_READS) == 0)
        engine.dispose()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "database schema at head" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _safe_count(engine) -> int:  # noqa: ANN001
    try:
        return _count(engine)
    except Exception:  # noqa: BLE001 - the table appears only once the recorder migrated
        return -1


def test_bad_settings_exit_with_a_readable_message() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPR_")} | {
        "LPR_PREFETCH": "lots"
    }
    proc = subprocess.run(
        [sys.executable, "-m", "services.recorder"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert (
        "LPR_AMQP_URL" in proc.stderr
        and "LPR_DATABASE_URL" in proc.stderr
        and "LPR_PREFETCH" in proc.stderr
    )
    assert "Traceback" not in proc.stderr
