"""The int8 detector: reproducible, and still finds a plate where the float one does."""

import numpy as np

from lpr.evaluate import iou
from lpr.inference import MODELS_DIR, load_detector
from training.quantize import quantize_detector
from training.synth.scenes import clean_frame


def test_int8_detector_finds_the_plate_and_is_reproducible(tmp_path):
    first = quantize_detector(MODELS_DIR / "plate_detector.onnx", tmp_path / "a.onnx", frames=4)
    again = quantize_detector(MODELS_DIR / "plate_detector.onnx", tmp_path / "b.onnx", frames=4)
    assert first.read_bytes() == again.read_bytes()
    assert first.stat().st_size < 0.5 * (MODELS_DIR / "plate_detector.onnx").stat().st_size

    detector = load_detector(first)
    assert detector.model_version.endswith("-int8")
    found = 0
    for seed in range(4):
        frame, _, box = clean_frame(np.random.default_rng(50 + seed), "fr_siv")
        found += any(iou(d.box, box) > 0.5 for d in detector.detect(frame))
    assert found >= 3
