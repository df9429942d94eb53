"""Message schemas of the pipeline (contract: see DESIGN.md "Message contract").

Frames and crops travel as JPEG bodies with their metadata as JSON in one AMQP
header (``META_HEADER``), so a consumer can validate the metadata without
touching the image. A read is a JSON document: the contract the parking
backend consumes from ``plates.recognized``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.settings import CAMERA_ID_PATTERN

SCHEMA_VERSION = 1
META_HEADER = "x-lpr-meta"

# Bodies beyond these are poison, refused before any decoding: a 4K JPEG frame
# is ~2 MB, a plate crop a few KB, a read with its crop a few tens of KB.
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_CROP_BYTES = 4 * 1024 * 1024
MAX_READ_BYTES = 4 * 1024 * 1024

# Deterministic read ids: a crop redelivered after a crash yields the same
# read_id, so the recorder's idempotent insert drops the duplicate.
_READ_NAMESPACE = uuid.UUID("6f1c2a44-5b1e-4f7e-9d43-0c6f5b0c2e11")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
CameraId = Annotated[str, Field(pattern=CAMERA_ID_PATTERN)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Box = tuple[float, float, float, float]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_frame_id() -> str:
    return uuid.uuid4().hex


def make_read_id(frame_id: str, plate_index: int) -> str:
    return uuid.uuid5(_READ_NAMESPACE, f"{frame_id}/{plate_index}").hex


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")


M = TypeVar("M", bound=_Message)


class FrameMeta(_Message):
    """Metadata of one camera frame (the JPEG is the message body)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    camera_id: CameraId
    frame_id: Id
    captured_at: UtcDatetime
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    capture_ms: float = Field(default=0.0, ge=0)


class CropMeta(_Message):
    """Metadata of one plate crop cut from a frame (the JPEG crop is the body)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    camera_id: CameraId
    frame_id: Id
    plate_index: int = Field(ge=0)
    captured_at: UtcDatetime
    box: Box
    detector_confidence: Unit
    detector_version: str
    latency_ms: dict[str, float] = Field(default_factory=dict)


class Candidate(_Message):
    text: str
    confidence: Unit


class ModelVersions(_Message):
    detector: str
    recognizer: str


class PlateReadMessage(_Message):
    """One plate read, as published on ``lpr.recognized`` (JSON contract)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    read_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    camera_id: CameraId
    frame_id: Id
    captured_at: UtcDatetime
    recognized_at: UtcDatetime
    plate_text: Annotated[str, Field(max_length=32)]
    confidence: Unit
    char_confidences: list[Unit]
    box: Box
    detector_confidence: Unit
    format: str | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    model_versions: ModelVersions
    # Per stage: capture, detect, recognize, and total (captured_at -> published).
    latency_ms: dict[str, float] = Field(default_factory=dict)
    # The plate crop (JPEG, base64), so the recorder can store it and a gate
    # display can show it without a second fetch; a backend may ignore it.
    crop_jpeg_b64: str | None = None


def decode_header_json(headers: dict | None) -> str | bytes:
    """The raw metadata JSON of a frame/crop message, or ValueError when absent."""
    if not headers or META_HEADER not in headers:
        raise ValueError(f"message has no {META_HEADER} header")
    raw = headers[META_HEADER]
    if not isinstance(raw, str | bytes):
        raise ValueError(f"{META_HEADER} header is {type(raw).__name__}, not a string")
    return raw


def check_size(body: bytes, limit: int, what: str) -> None:
    """ValueError for a body over ``limit`` (decoding it could cost the service its memory)."""
    if len(body) > limit:
        raise ValueError(f"{what} of {len(body)} bytes is over the {limit}-byte limit")


def meta_from_headers(cls: type[M], headers: dict | None) -> M:
    """Validate the metadata header of a frame or crop message (ValueError when bad)."""
    return cls.model_validate_json(decode_header_json(headers))


def meta_headers(meta: _Message) -> dict[str, str]:
    return {META_HEADER: meta.model_dump_json()}


Decision = Literal["allow", "deny", "unknown"]
PassageEvent = Literal["announced", "closed"]


class ListMatch(_Message):
    """The list entry a passage's plate matched (within the site's edit-distance tolerance)."""

    list_name: Literal["allow", "deny"]
    plate_text: str
    distance: int = Field(ge=0)
    note: str | None = None


class PassageMessage(_Message):
    """One vehicle passage, as published on ``lpr.passages`` (JSON).

    ``announced`` comes ``LPR_PASSAGE_DELAY_S`` after the first read (soon enough
    for a barrier); ``closed`` is the final update, once the car has gone. A car
    that lingers and is seen again may close its passage more than once; the
    newest ``closed`` (highest ``read_count``) is the final word.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    event: PassageEvent
    passage_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    camera_id: CameraId
    plate_text: Annotated[str, Field(max_length=32)]
    confidence: Unit
    format: str | None = None
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    read_count: int = Field(ge=1)
    best_read_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    list_match: ListMatch | None = None
    decision: Decision
    published_at: UtcDatetime
    crop_jpeg_b64: str | None = None


class DecisionMessage(_Message):
    """The access decision for one passage, as published on ``lpr.decisions`` (JSON).

    Sent when the passage is announced, and again when it closes (``final``
    true), so a barrier acts on the first and may correct itself on the second.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    passage_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    camera_id: CameraId
    plate_text: Annotated[str, Field(max_length=32)]
    confidence: Unit
    decision: Decision
    list_match: ListMatch | None = None
    final: bool = False
    decided_at: UtcDatetime
