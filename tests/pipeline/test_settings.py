"""Settings: LPR_ prefix, shared parts, readable failures."""

from __future__ import annotations

import pytest

from shared.settings import (
    ApiSettings,
    CaptureSettings,
    DetectorSettings,
    RecorderSettings,
    SettingsError,
    env_names,
    load_settings,
)

AMQP = "amqp://u:p@rabbit:5672/%2F"


def test_values_come_from_lpr_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LPR_AMQP_URL", AMQP)
    monkeypatch.setenv("LPR_BACKEND", "torch")  # from a mixin: the prefix must still apply
    monkeypatch.setenv("LPR_THREADS", "2")
    monkeypatch.setenv("LPR_LOG_LEVEL", "debug")
    s = load_settings(DetectorSettings)
    assert (s.amqp_url, s.backend, s.threads, s.log_level) == (AMQP, "torch", 2, "DEBUG")


def test_urls_have_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LPR_AMQP_URL", "LPR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as info:
        load_settings(RecorderSettings)
    assert "LPR_AMQP_URL" in str(info.value) and "LPR_DATABASE_URL" in str(info.value)


def test_bad_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LPR_AMQP_URL", "http://nope")
    monkeypatch.setenv("LPR_CAPTURE_FPS", "0")
    monkeypatch.setenv("LPR_CAMERA_ID", "bad id with spaces")
    with pytest.raises(SettingsError) as info:
        load_settings(CaptureSettings)
    text = str(info.value)
    assert "LPR_AMQP_URL" in text and "LPR_CAPTURE_FPS" in text and "LPR_CAMERA_ID" in text


def test_api_key_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LPR_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("LPR_API_KEY", "k3y")
    s = load_settings(ApiSettings)
    assert "k3y" not in repr(s) and s.api_key.get_secret_value() == "k3y"


def test_contract_names() -> None:
    assert {
        "LPR_AMQP_URL",
        "LPR_LOG_LEVEL",
        "LPR_CAMERA_ID",
        "LPR_CAPTURE_SOURCE",
        "LPR_CAPTURE_FPS",
    } <= env_names(CaptureSettings)
    assert {"LPR_DATABASE_URL", "LPR_API_HOST", "LPR_API_PORT", "LPR_API_KEY"} <= env_names(
        ApiSettings
    )
    assert {
        "LPR_DETECTOR_MODEL",
        "LPR_BACKEND",
        "LPR_DEVICE",
        "LPR_THREADS",
        "LPR_MIN_CONFIDENCE",
        "LPR_DARK_BELOW",
        "LPR_FINE_SIDE",
        "LPR_OVERLAY_HEIGHT",
    } <= env_names(DetectorSettings)
