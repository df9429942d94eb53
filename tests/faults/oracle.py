"""What the fault suite knows independently of the services: frames sent, reads owed, reads got.

The oracle does not trust the services' own counters. A test-owned audit
queue bound to ``lpr.frames`` receives a copy of every frame the broker
accepted; the frames RabbitMQ dropped from the full detector queue are read
back from the dead-letter queue (x-death reason ``maxlen``). Every other frame
was taken by a detector, and each of its plates must be in Postgres exactly
once and on ``plates.recognized`` at least once.
"""

from __future__ import annotations

import collections
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from shared.db import make_engine
from shared.fake_backend import FakeDetector, FakeReader, crop_box, draw_plate, plate_size
from shared.images import decode_image, encode_jpeg
from shared.messages import FrameMeta, meta_from_headers
from shared.models import PlateReadRow
from shared.topology import (
    ALL_KEYS,
    EXCHANGE_FRAMES,
    QUEUE_DEAD_LETTER,
    QUEUE_DETECTOR_FRAMES,
    QUEUE_PLATES_RECOGNIZED,
)
from tests.pipeline.helpers import channel

AUDIT_QUEUE = "test.frames.audit"
FRAME_W, FRAME_H = 320, 240


def write_frames(folder: Path, prefix: str, count: int, two_plates_every: int = 4) -> set[str]:
    """``count`` JPEG frames with one or two marker plates each; returns every plate text."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(len(prefix) * 1000 + count)  # seeded: reproducible frames
    texts: set[str] = set()
    for i in range(count):
        img = rng.integers(40, 140, (FRAME_H, FRAME_W, 3), dtype=np.uint8)  # a busy background
        plates = [f"{prefix}A{i:04d}"] + (
            [f"{prefix}B{i:04d}"] if i % two_plates_every == 0 else []
        )
        for row, text in enumerate(plates):
            width, _ = plate_size(text)
            draw_plate(img, text, int(rng.integers(0, FRAME_W - width)), 20 + row * 110)
        texts.update(plates)
        (folder / f"{i:05d}.jpg").write_bytes(encode_jpeg(img, 90))
    return texts


def read_plates(jpeg: bytes) -> list[str]:
    """The plate texts in a frame, read from its pixels (the fake models, used as a ruler)."""
    image = decode_image(jpeg)
    crops = [crop_box(image, d.box) for d in FakeDetector(delay_ms=0).detect(image)]
    return [r.text for r in FakeReader().read(crops)] if crops else []


def declare_audit(amqp_url: str) -> None:
    with channel(amqp_url) as ch:
        ch.queue_declare(AUDIT_QUEUE, durable=True)
        ch.queue_bind(AUDIT_QUEUE, EXCHANGE_FRAMES, routing_key=ALL_KEYS)


def drain(amqp_url: str, queue: str) -> list[tuple[Any, bytes]]:
    """Take every message now in ``queue`` (acked): (properties, body) pairs."""
    got = []
    with channel(amqp_url) as ch:
        while True:
            method, props, body = ch.basic_get(queue, auto_ack=True)
            if method is None:
                return got
            got.append((props, body))


def _death_reason(headers: dict[str, Any]) -> str | None:
    for death in headers.get("x-death") or []:
        if isinstance(death, dict) and str(death.get("queue")) == QUEUE_DETECTOR_FRAMES:
            reason = death.get("reason")
            return reason.decode() if isinstance(reason, bytes) else str(reason)
    return None


@dataclass
class Expected:
    """Frames the broker accepted, the ones it dropped, and the plates owed."""

    sent_frames: int = 0  # distinct frame ids on lpr.frames
    republished: int = 0  # extra copies (a publish retried after a lost connection)
    dropped: set[str] = field(default_factory=set)  # frame ids: every copy dropped (maxlen)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)  # the others, headers
    owed: dict[tuple[str, str], None] = field(default_factory=dict)  # (frame_id, plate_text)
    texts_sent: set[str] = field(default_factory=set)


def expected_reads(amqp_url: str) -> Expected:
    """Call once the frames queue is empty: the audit and the dead letters are final then."""
    out = Expected()
    copies: collections.Counter[str] = collections.Counter()
    plates: dict[str, list[str]] = {}
    for props, body in drain(amqp_url, AUDIT_QUEUE):
        meta = meta_from_headers(FrameMeta, props.headers)
        copies[meta.frame_id] += 1
        plates.setdefault(meta.frame_id, read_plates(body))
    drops: collections.Counter[str] = collections.Counter()
    for props, _body in drain(amqp_url, QUEUE_DEAD_LETTER):
        headers = dict(props.headers or {})
        if _death_reason(headers) == "maxlen":
            drops[props.message_id] += 1
        else:
            out.dead_letters.append(headers)
    out.sent_frames = len(copies)
    out.republished = sum(copies.values()) - len(copies)
    out.dropped = {f for f, n in drops.items() if n >= copies.get(f, 0)}
    for frame_id, texts in plates.items():
        out.texts_sent.update(texts)
        if frame_id not in out.dropped:
            out.owed.update({(frame_id, t): None for t in texts})
    return out


def stored_rows(database_url: str) -> list[dict[str, Any]]:
    engine = make_engine(database_url)
    try:
        cols = (
            PlateReadRow.read_id,
            PlateReadRow.frame_id,
            PlateReadRow.plate_text,
            PlateReadRow.captured_at,
            PlateReadRow.created_at,
            PlateReadRow.latency_ms,
        )
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(*cols))]
    finally:
        engine.dispose()


def wait_stored(database_url: str, owed: int, timeout: float) -> list[dict[str, Any]]:
    """Rows once at least ``owed`` are stored (or what is there when the timeout passes)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = stored_rows(database_url)
        if len(rows) >= owed or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


@dataclass
class Verdict:
    figures: dict[str, Any]
    problems: list[str]


def judge(exp: Expected, rows: list[dict[str, Any]], recognized: list[bytes]) -> Verdict:
    """Compare what is owed with Postgres and plates.recognized; figures for the report."""
    pairs = collections.Counter((r["frame_id"], r["plate_text"]) for r in rows)
    read_ids = collections.Counter(r["read_id"] for r in rows)
    backend = [json.loads(b) for b in recognized]
    backend_ids = collections.Counter(m["read_id"] for m in backend)
    problems = []
    missing = [p for p in exp.owed if p not in pairs]
    extra = [p for p in pairs if p not in exp.owed]
    dup_rows = sum(n - 1 for n in pairs.values()) + sum(n - 1 for n in read_ids.values())
    if missing:
        problems.append(f"{len(missing)} reads missing from Postgres, e.g. {missing[:3]}")
    if extra:
        problems.append(f"{len(extra)} reads stored that no frame owed, e.g. {extra[:3]}")
    if dup_rows:
        problems.append(f"{dup_rows} duplicate rows in Postgres")
    not_on_queue = set(read_ids) - set(backend_ids)
    if not_on_queue:
        problems.append(f"{len(not_on_queue)} stored reads never reached {QUEUE_PLATES_RECOGNIZED}")
    texts_stored = {t for _, t in pairs}
    owed_texts = {t for _, t in exp.owed}
    if owed_texts - texts_stored:
        problems.append(f"plate texts missing: {sorted(owed_texts - texts_stored)[:5]}")
    figures = {
        "frames_sent": exp.sent_frames,
        "frames_republished": exp.republished,
        "frames_dropped_maxlen": len(exp.dropped),
        "reads_expected": len(exp.owed),
        "reads_stored": len(rows),
        "duplicates_in_postgres": dup_rows,
        "reads_on_plates_recognized": len(backend),
        "duplicates_on_plates_recognized": sum(n - 1 for n in backend_ids.values()),
        "dead_lettered": len(exp.dead_letters),
    }
    return Verdict(figures, problems)


def latency_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Capture-to-read (recognizer) and capture-to-stored p50/p95, in seconds."""

    def pct(values: list[float], q: int) -> float:
        return round(statistics.quantiles(values, n=100)[q - 1], 3) if len(values) > 1 else 0.0

    to_read = [r["latency_ms"]["total"] / 1000 for r in rows if "total" in r["latency_ms"]]
    to_db = [(r["created_at"] - r["captured_at"]).total_seconds() for r in rows]
    return {
        "capture_to_read_p50_s": pct(to_read, 50),
        "capture_to_read_p95_s": pct(to_read, 95),
        "capture_to_stored_p95_s": pct(to_db, 95),
    }


def report(fault: str, figures: dict[str, Any]) -> None:
    """Print the figures (visible with -s) and append them to $LPR_FAULT_REPORT if set."""
    line = {"fault": fault, **figures}
    print(f"\n[fault-report] {json.dumps(line, default=str)}")
    path = os.environ.get("LPR_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, default=str) + "\n")
