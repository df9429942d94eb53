"""Typed settings for each service, read from ``LPR_*`` environment variables.

One class per service. The broker and database URLs are declared once (in the
mixins below) and have no defaults: they carry credentials, and a service that
silently talks to ``guest@localhost`` in production is worse than one that
refuses to start.
"""

from __future__ import annotations

import logging
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lpr.types import READ_MAX_CHARS, READ_MIN_CHARS, READ_MIN_CONFIDENCE

logger = logging.getLogger(__name__)

ENV_PREFIX = "LPR_"
CAMERA_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class SettingsError(SystemExit):
    """Raised (as a clean exit) when the environment holds a missing or bad value."""


# Every class (mixins too) carries the same config: pydantic merges the configs
# of all bases, so a mixin without it would reset the prefix.
_CONFIG = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)


def check_amqp_url(value: str) -> str:
    if not value.startswith(("amqp://", "amqps://")):
        raise ValueError("must start with amqp:// or amqps://")
    return value


class CommonSettings(BaseSettings):
    model_config = _CONFIG

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class BrokerSettings(CommonSettings):
    amqp_url: str = Field(description="AMQP URL, e.g. amqp://user:pass@rabbitmq:5672/%2F")
    prefetch: int = Field(default=4, ge=1, le=1000)
    # Port for the Prometheus /metrics endpoint of a worker service; unset = off.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "0.0.0.0"

    @field_validator("amqp_url")
    @classmethod
    def _amqp_scheme(cls, value: str) -> str:
        return check_amqp_url(value)


class DatabaseSettings(BaseSettings):
    model_config = _CONFIG
    database_url: str = Field(description="SQLAlchemy URL, e.g. postgresql+psycopg2://...")


class InferenceSettings(BaseSettings):
    model_config = _CONFIG
    # "fake" is shared/fake_backend.py: marker plates, for the fault tests only.
    backend: Literal["onnx", "torch", "ultralytics", "fake"] = "onnx"
    device: str = "cpu"
    threads: int = Field(default=1, ge=1, le=64)


class CaptureSettings(BrokerSettings):
    camera_id: str = Field(default="cam1", pattern=CAMERA_ID_PATTERN)
    # RTSP/HTTP URL, USB index ("0"), a video file or a folder of images.
    capture_source: str | None = None
    capture_fps: float = Field(default=5.0, gt=0, le=120)
    capture_loop: bool = False
    capture_queue_size: int = Field(default=8, ge=1, le=1000)
    jpeg_quality: int = Field(default=90, ge=10, le=100)
    reconnect_max_s: float = Field(default=30.0, gt=0)
    # A camera that delivers no frame for this long is treated as dropped and reopened
    # (an RTSP stream can hang in read() with its socket still open).
    capture_stall_s: float = Field(default=10.0, gt=0)
    ingest_host: str = "0.0.0.0"
    ingest_port: int | None = Field(default=None, ge=1, le=65535)


class DetectorSettings(BrokerSettings, InferenceSettings):
    detector_model: str = "models/plate_detector.onnx"
    # Detections below this detector confidence are not forwarded. 0.1, as `lpr scan`: the
    # recognizer's read policy drops what is not a plate (models/HISTORY.md has the sweep).
    min_confidence: float = Field(default=0.1, ge=0, le=1)
    # Night frames (mean grey under this) get CLAHE before detection; 0 = never (lpr.preprocess).
    dark_below: float = Field(default=40.0, ge=0, le=255)
    # Frames with no sure box get a finer detector pass at this long side, for far plates;
    # 0 = never (lpr.detector).
    fine_side: int = Field(default=1280, ge=0, le=4096)
    # Frames still without a sure box get a last pass in grey, for plates in colours the
    # detector seldom saw (lpr.detector).
    grey_pass: bool = True
    # Boxes on a text line along the frame's top edge up to this share of its height are a
    # camera's date and time, not plates; 0 = keep them (lpr.detector).
    overlay_height: float = Field(default=0.035, ge=0, le=1)
    # A car must be read from a fresh frame: older frames are acked and counted, not run.
    max_frame_age_s: float = Field(default=10.0, gt=0)
    prefetch: int = Field(default=1, ge=1, le=1000)
    jpeg_quality: int = Field(default=95, ge=10, le=100)


class FormatSettings(BaseSettings):
    model_config = _CONFIG
    # Comma list of plate formats of this site (lpr.formats.KNOWN_PATTERNS); empty = defaults.
    plate_formats: str = ""

    @field_validator("plate_formats")
    @classmethod
    def _known_formats(cls, value: str) -> str:
        from lpr.formats import patterns_named  # light: regexes only, no model code

        if value.strip():
            patterns_named(value)  # ValueError names the unknown ones and the known ones
        return value


class RecognizerSettings(BrokerSettings, InferenceSettings, FormatSettings):
    recognizer_model: str = "models/plate_recognizer.onnx"
    # Reads below this confidence are dropped (0 = publish all). As `lpr scan`: junk
    # reads of badges and signs fall below it, and would otherwise open passages.
    min_read_confidence: float = Field(default=READ_MIN_CONFIDENCE, ge=0, le=1)
    # Reads shorter than this are dropped, as by `lpr scan`: emblems, lamps and model
    # names read as 1-3 junk characters. Lower it where vanity plates are that short.
    min_plate_chars: int = Field(default=READ_MIN_CHARS, ge=1, le=16)
    # Reads longer than this are dropped (0 = no limit): a camera's date-and-time overlay
    # or a sign reads as 10-12 characters, longer than plates (ReadPolicy says more).
    max_plate_chars: int = Field(default=READ_MAX_CHARS, ge=0, le=32)


class RecorderSettings(BrokerSettings, DatabaseSettings):
    db_wait_s: float = Field(default=60.0, gt=0)
    prefetch: int = Field(default=16, ge=1, le=1000)
    # Privacy: reads (with their crops) and passages older than this are deleted; 0 = keep all.
    retention_days: float = Field(default=30.0, ge=0)
    retention_interval_s: float = Field(default=3600.0, gt=0)


class PassagesSettings(BrokerSettings, DatabaseSettings, FormatSettings):
    db_wait_s: float = Field(default=60.0, gt=0)
    prefetch: int = Field(default=32, ge=1, le=1000)
    # Announce a passage this long after its first read: soon enough to open a barrier,
    # late enough for a few frames to vote on the text.
    passage_delay_s: float = Field(default=0.5, ge=0, le=30)
    # A passage closes after this long without a read of it.
    passage_gap_s: float = Field(default=3.0, gt=0, le=600)
    # The same plate on the same spot this soon after closing is the same (parked) car.
    passage_rearm_s: float = Field(default=60.0, ge=0, le=86400)
    # Allow/deny list entries match a plate within this many edits (0 = exact only).
    list_max_distance: int = Field(default=1, ge=0, le=3)
    # "allow" needs at least this passage confidence (deny never waits for confidence).
    allow_min_confidence: float = Field(default=0.5, ge=0, le=1)


class ApiSettings(CommonSettings, DatabaseSettings):
    api_host: str = "0.0.0.0"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_key: SecretStr | None = None
    api_max_limit: int = Field(default=500, ge=1)
    # POST /v1/recognize talks to the detectors through the broker; unset = that route answers 503.
    amqp_url: str | None = None
    snapshot_timeout_s: float = Field(default=5.0, gt=0, le=60)
    snapshot_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=16 * 1024 * 1024)

    @field_validator("amqp_url", mode="before")
    @classmethod
    def _optional_amqp(cls, value: object) -> object:
        # compose passes `LPR_AMQP_URL=` when .env leaves it empty: snapshots off, as unset.
        if value in ("", None):
            return None
        return check_amqp_url(str(value))

    @field_validator("api_key", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # compose passes `LPR_API_KEY=` when .env leaves it empty: that means "no key".
        return None if value == "" else value


S = TypeVar("S", bound=BaseSettings)


def env_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variable names a settings class reads."""
    return {ENV_PREFIX + name.upper() for name in cls.model_fields}


def load_settings(cls: type[S], **overrides: object) -> S:
    """Build settings from the environment, or exit with one readable line per bad value."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {ENV_PREFIX}{field.upper()}: {err['msg']}")
        raise SettingsError(
            f"invalid configuration for {cls.__name__}:\n" + "\n".join(lines)
        ) from None
