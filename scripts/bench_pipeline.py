"""Throughput and latency of the running pipeline, with 1 and 2 detector replicas.

Starts recorder, recognizer, N detectors and capture (a looping image folder
at a high fps cap) as local processes, each run in its own vhost and database,
and reports frames/s read into the database, frames dropped by the bounded
frame queue, and capture -> stored latency p50/p95.

    OMP_NUM_THREADS=1 python scripts/bench_pipeline.py --frames samples/frames --seconds 30

Needs local RabbitMQ (rabbitmqctl or the management API) and Postgres, and the
trained models in models/.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from shared.db import make_engine  # noqa: E402
from shared.localrun import ServiceProcesses  # noqa: E402
from shared.models import PlateReadRow  # noqa: E402
from shared.topology import QUEUE_DEAD_LETTER  # noqa: E402
from tests import infra  # noqa: E402  (vhost and database helpers shared with the tests)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def dead_letter_depth(amqp_url: str) -> int:
    import pika

    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return conn.channel().queue_declare(QUEUE_DEAD_LETTER, passive=True).method.message_count
    finally:
        conn.close()


def run_once(args: argparse.Namespace, detectors: int, admin: infra.VhostAdmin) -> dict:
    vhost = f"lpr-bench-{uuid.uuid4().hex[:8]}"
    admin.create(vhost)
    amqp_url = infra.vhost_url(args.amqp_url, vhost)
    db_url = infra.create_database(args.database_url, prefix="lpr_bench")
    try:
        with tempfile.TemporaryDirectory() as logs:
            env = {
                "LPR_AMQP_URL": amqp_url,
                "LPR_DATABASE_URL": db_url,
                "LPR_CAPTURE_SOURCE": str(args.frames),
                "LPR_CAPTURE_LOOP": "true",
                "LPR_CAPTURE_FPS": str(args.fps),
                "LPR_LOG_LEVEL": "WARNING",
            }
            procs = ServiceProcesses(env, Path(logs))
            procs.start("recorder")
            procs.start("recognizer")
            for i in range(detectors):
                procs.start("detector", replica=i)
            time.sleep(args.warmup)  # models load and warm before frames flow
            started = time.monotonic()
            capture = procs.start("capture")
            time.sleep(args.seconds)
            capture.terminate()
            capture.wait(timeout=30)
            elapsed = time.monotonic() - started
            time.sleep(args.drain)  # let the frames already queued finish
            dropped = dead_letter_depth(amqp_url)
            failed = procs.failed()
            procs.stop()
            if failed:
                raise RuntimeError(
                    f"services failed: {failed}\n" + "\n".join(procs.log(k)[-1500:] for k in failed)
                )
        engine = make_engine(db_url)
        with engine.connect() as conn:
            rows = conn.execute(
                select(PlateReadRow.frame_id, PlateReadRow.captured_at, PlateReadRow.created_at)
            ).all()
        engine.dispose()
    finally:
        infra.drop_database(args.database_url, db_url)
        admin.delete(vhost)
    latencies = [(r.created_at - r.captured_at).total_seconds() * 1000 for r in rows]
    return {
        "detectors": detectors,
        "frames_per_s": len({r.frame_id for r in rows}) / elapsed,
        "reads": len(rows),
        "dropped": dropped,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=Path, default=ROOT / "samples" / "frames")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--fps", type=float, default=50, help="capture cap; above what detectors manage"
    )
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--drain", type=float, default=5)
    parser.add_argument("--amqp-url", default=infra.DEFAULT_AMQP_URL)
    parser.add_argument(
        "--database-url", default=infra.DEFAULT_DATABASE_URL, help="a user that may CREATE DATABASE"
    )
    args = parser.parse_args()
    for model in ("plate_detector.onnx", "plate_recognizer.onnx"):
        if not (ROOT / "models" / model).exists():
            parser.error(f"models/{model} not found: train and export the models first")
    admin = infra.vhost_admin_for(args.amqp_url)
    results = [run_once(args, n, admin) for n in args.replicas]
    print(
        f"{'detectors':>9} {'frames/s':>9} {'reads':>6} {'dropped':>8} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for r in results:
        print(
            f"{r['detectors']:>9} {r['frames_per_s']:>9.1f} {r['reads']:>6} {r['dropped']:>8} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
