"""Consumer and publisher behaviour against a real RabbitMQ (own vhost per test)."""

from __future__ import annotations

import threading
import time

import pika.exceptions
import pytest

from shared.broker import (
    BrokerStopped,
    Delivery,
    OutgoingMessage,
    PoisonMessage,
    Publisher,
    connect,
)
from shared.consumer import ERROR_HEADER, Consumer
from shared.topology import (
    EXCHANGE_CROPS,
    EXCHANGE_FRAMES,
    QUEUE_DEAD_LETTER,
    QUEUE_DETECTOR_FRAMES,
    QUEUE_RECOGNIZER_CROPS,
)
from tests.pipeline.helpers import channel, get_all, queue_depth, running, send, wait_for

pytestmark = pytest.mark.integration


def _echo(delivery: Delivery) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(EXCHANGE_CROPS, delivery.routing_key, delivery.body.upper(), "text/plain")
    ]


def test_outputs_are_published_then_the_input_acked(amqp_url: str) -> None:
    consumer = Consumer(amqp_url, QUEUE_DETECTOR_FRAMES, _echo, prefetch=4)
    with running(consumer), channel(amqp_url) as ch:
        for word in (b"one", b"two", b"three"):
            send(ch, EXCHANGE_FRAMES, "cam7", word)
        out = get_all(ch, QUEUE_RECOGNIZER_CROPS, 3)
        assert sorted(m[2] for m in out) == [b"ONE", b"THREE", b"TWO"]
        assert {m[0].routing_key for m in out} == {"cam7"}
        wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 0)
    with channel(amqp_url) as ch:  # nothing was left unacked to come back
        assert queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 0


def test_poison_goes_to_dead_letter_with_reason_and_consuming_goes_on(amqp_url: str) -> None:
    def handler(delivery: Delivery) -> list[OutgoingMessage]:
        if delivery.body == b"bad":
            raise PoisonMessage("cannot decode frame")
        return _echo(delivery)

    with running(Consumer(amqp_url, QUEUE_DETECTOR_FRAMES, handler)), channel(amqp_url) as ch:
        send(ch, EXCHANGE_FRAMES, "cam1", b"bad", {"keep": "me"})
        send(ch, EXCHANGE_FRAMES, "cam1", b"good")
        (dead,) = get_all(ch, QUEUE_DEAD_LETTER, 1)
        assert dead[2] == b"bad"
        assert dead[1].headers[ERROR_HEADER] == "cannot decode frame"
        assert dead[1].headers["keep"] == "me"
        assert dead[1].headers["x-lpr-queue"] == QUEUE_DETECTOR_FRAMES
        assert [m[2] for m in get_all(ch, QUEUE_RECOGNIZER_CROPS, 1)] == [b"GOOD"]


def test_unexpected_error_is_retried_once_then_dead_lettered(amqp_url: str) -> None:
    seen: list[bool] = []

    def handler(delivery: Delivery) -> list[OutgoingMessage]:
        seen.append(delivery.redelivered)
        raise RuntimeError("model crashed")

    with running(Consumer(amqp_url, QUEUE_DETECTOR_FRAMES, handler)), channel(amqp_url) as ch:
        send(ch, EXCHANGE_FRAMES, "cam1", b"frame")
        (dead,) = get_all(ch, QUEUE_DEAD_LETTER, 1, timeout=15)
        assert "RuntimeError: model crashed" in dead[1].headers[ERROR_HEADER]
    assert seen == [False, True]


def test_message_in_work_at_shutdown_is_redelivered_not_lost(amqp_url: str) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(delivery: Delivery) -> list[OutgoingMessage]:
        started.set()
        release.wait(10)
        return []

    consumer = Consumer(amqp_url, QUEUE_DETECTOR_FRAMES, slow, grace_s=0.3)
    with channel(amqp_url) as ch:
        with running(consumer):
            send(ch, EXCHANGE_FRAMES, "cam1", b"frame")
            assert started.wait(10)
            assert queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 0  # delivered, not acked
            # leaving the block stops the consumer while the handler still works
            threading.Timer(1.0, release.set).start()
        wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 1)


def test_heartbeats_flow_while_the_handler_works(amqp_url: str) -> None:
    calls: list[bool] = []

    def slow(delivery: Delivery) -> list[OutgoingMessage]:
        calls.append(delivery.redelivered)
        time.sleep(4.5)  # well past two 1 s heartbeats: a blocked I/O thread loses the connection
        return _echo(delivery)

    consumer = Consumer(amqp_url, QUEUE_DETECTOR_FRAMES, slow, heartbeat=1)
    with running(consumer), channel(amqp_url) as ch:
        send(ch, EXCHANGE_FRAMES, "cam1", b"long")
        assert [m[2] for m in get_all(ch, QUEUE_RECOGNIZER_CROPS, 1, timeout=15)] == [b"LONG"]
        wait_for(lambda: queue_depth(ch, QUEUE_DETECTOR_FRAMES) == 0)
        time.sleep(1.0)
    assert calls == [False]  # handled once, never redelivered by a dropped connection


def test_publisher_reconnects_after_losing_its_connection(amqp_url: str) -> None:
    stop = threading.Event()
    pub = Publisher(amqp_url, stop)
    msg = OutgoingMessage(EXCHANGE_CROPS, "cam1", b"x", "text/plain")
    pub.publish(msg)
    pub._conn.close()  # the broker went away behind its back
    pub.publish(msg)
    pub.close()
    with channel(amqp_url) as ch:
        assert queue_depth(ch, QUEUE_RECOGNIZER_CROPS) == 2


def test_bad_credentials_fail_at_once_without_retry(amqp_url: str) -> None:
    url = amqp_url.replace("guest:guest@", "guest:wrong@")
    started = time.monotonic()
    with pytest.raises(pika.exceptions.ProbableAuthenticationError):
        connect(url, threading.Event())
    assert time.monotonic() - started < 5


def test_connect_retries_until_stopped_when_nothing_listens() -> None:
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    started = time.monotonic()
    with pytest.raises(BrokerStopped):
        connect("amqp://guest:guest@127.0.0.1:1/%2F", stop)
    assert 1.0 < time.monotonic() - started < 5
