"""The declared topology against a real RabbitMQ (own vhost per test)."""

from __future__ import annotations

import json

import pika.exceptions
import pytest

from shared import topology as t
from tests.pipeline.helpers import channel, get_all, queue_depth, send

pytestmark = pytest.mark.integration


def test_declare_is_idempotent_and_creates_every_queue(amqp_url: str) -> None:
    with channel(amqp_url) as ch:
        t.declare_topology(ch)  # second declaration, same arguments: accepted
        for queue in t.QUEUES:
            assert queue_depth(ch, queue) == 0
        for exchange in (
            t.EXCHANGE_FRAMES,
            t.EXCHANGE_CROPS,
            t.EXCHANGE_RECOGNIZED,
            t.EXCHANGE_DEAD,
        ):
            ch.exchange_declare(exchange, passive=True)


def test_a_read_reaches_the_backend_queue_and_the_recorder_queue(amqp_url: str) -> None:
    with channel(amqp_url) as ch:
        send(ch, t.EXCHANGE_RECOGNIZED, "gate-1", json.dumps({"plate_text": "X"}).encode())
        for queue in (t.QUEUE_PLATES_RECOGNIZED, t.QUEUE_RECORDER_READS):
            (msg,) = get_all(ch, queue, 1)
            assert msg[0].routing_key == "gate-1"
            assert json.loads(msg[2]) == {"plate_text": "X"}
            assert msg[1].delivery_mode == 2  # persistent


def test_frames_queue_drops_the_oldest_frames_and_dead_letters_them(amqp_url: str) -> None:
    extra = 5
    with channel(amqp_url) as ch:
        for i in range(t.FRAMES_MAX_LENGTH + extra):
            send(ch, t.EXCHANGE_FRAMES, "cam1", b"jpeg", {"i": i}, "image/jpeg")
        assert queue_depth(ch, t.QUEUE_DETECTOR_FRAMES) == t.FRAMES_MAX_LENGTH
        kept = get_all(ch, t.QUEUE_DETECTOR_FRAMES, t.FRAMES_MAX_LENGTH)
        assert [m[1].headers["i"] for m in kept] == list(range(extra, t.FRAMES_MAX_LENGTH + extra))
        dropped = get_all(ch, t.QUEUE_DEAD_LETTER, extra)
        assert [m[1].headers["i"] for m in dropped] == list(range(extra))
        assert all(m[1].headers["x-first-death-reason"] == "maxlen" for m in dropped)


def test_redeclaring_with_other_arguments_is_refused(amqp_url: str) -> None:
    """Why queue arguments are constants and not settings."""
    with channel(amqp_url) as ch:
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as info:
            ch.queue_declare(t.QUEUE_DETECTOR_FRAMES, durable=True, arguments={"x-max-length": 3})
        assert info.value.reply_code == 406
