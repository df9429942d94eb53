"""The int8 models: reproducible, and still find and read plates where the float ones do."""

import numpy as np
import onnx
import onnx.numpy_helper

from lpr.evaluate import iou
from lpr.inference import MODELS_DIR, load_detector, load_reader
from lpr.preprocess import crop_plate
from training.quantize import quantize_detector, quantize_reader
from training.synth.scenes import clean_frame


def test_int8_detector_finds_the_plate_and_is_reproducible(tmp_path):
    first = quantize_detector(MODELS_DIR / "plate_detector.onnx", tmp_path / "a.onnx", frames=4)
    again = quantize_detector(MODELS_DIR / "plate_detector.onnx", tmp_path / "b.onnx", frames=4)
    assert first.read_bytes() == again.read_bytes()
    # the head's convolutions hold int8 weights (12: two per box and score branch at
    # three strides, not the last ones, which give the scores); the backbone has none
    int8 = [
        i.name for i in onnx.load(first).graph.initializer if i.name.endswith("weight_quantized")
    ]
    assert len(int8) == 12 and all(name.startswith("model.22.cv") for name in int8)

    detector = load_detector(first)
    assert detector.model_version.endswith("-int8")
    found = 0
    for seed in range(4):
        frame, _, box = clean_frame(np.random.default_rng(50 + seed), "fr_siv")
        found += any(iou(d.box, box) > 0.5 for d in detector.detect(frame))
    assert found >= 3


def test_int8_reader_reads_known_plates_as_the_float_one_does(tmp_path):
    source = MODELS_DIR / "plate_recognizer.onnx"
    first = quantize_reader(source, tmp_path / "a.onnx", crops=64)
    assert first.read_bytes() == quantize_reader(source, tmp_path / "b.onnx", crops=64).read_bytes()

    # 7-bit weights, which CPUs without VNNI multiply without saturating
    arrays = [onnx.numpy_helper.to_array(i) for i in onnx.load(first).graph.initializer]
    weights = [a for a in arrays if a.dtype == np.int8 and a.ndim == 4]
    assert len(weights) == 6  # the six convolutions
    assert all(np.abs(w.astype(int)).max() <= 64 for w in weights)

    int8, fp32 = load_reader(first), load_reader(source)
    assert int8.model_version.endswith("-int8")
    assert int8.tokenizer.charset == fp32.tokenizer.charset  # metadata carried over
    formats = ["fr_siv", "sk", "us_ca", "us_tx", "br_mercosur", "br_grey", "ma", "us_ny"]
    truths, crops = [], []
    for seed, fmt in enumerate(formats):
        frame, plate, box = clean_frame(np.random.default_rng(80 + seed), fmt)
        truths.append(plate.text)
        crops.append(crop_plate(frame, box))
    right = {
        name: sum(r.text == t for r, t in zip(reader.read(crops), truths, strict=True))
        for name, reader in (("int8", int8), ("fp32", fp32))
    }
    assert right["fp32"] >= 6, right  # the known-answer set is readable
    assert right["int8"] >= right["fp32"] - 1, right
