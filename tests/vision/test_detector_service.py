"""The detector service builds the real detector with the inference settings of its LPR_ variables."""

import pytest

from lpr.detector import FINE_LONG_SIDE, OVERLAY_HEIGHT
from lpr.preprocess import DARK_BELOW


@pytest.mark.parametrize(
    ("variable", "attribute", "default"),
    [
        ("LPR_DARK_BELOW", "dark_below", DARK_BELOW),
        ("LPR_FINE_SIDE", "fine_side", FINE_LONG_SIDE),
        ("LPR_OVERLAY_HEIGHT", "overlay_height", OVERLAY_HEIGHT),
        ("LPR_GREY_PASS", "grey_pass", True),
    ],
)
def test_the_detector_service_takes_its_setting(monkeypatch, variable, attribute, default):
    from services.detector.worker import build_worker
    from shared.settings import DetectorSettings, load_settings

    monkeypatch.setenv("LPR_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    monkeypatch.setenv(variable, "0")
    assert getattr(build_worker(load_settings(DetectorSettings)).detector, attribute) == 0
    monkeypatch.delenv(variable)
    assert getattr(build_worker(load_settings(DetectorSettings)).detector, attribute) == default
