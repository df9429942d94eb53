"""Int8 copies of the models for slower CPUs: ONNX Runtime static quantization.

    lpr export --int8 models/plate_detector.onnx     # -> models/plate_detector_int8.onnx
    lpr export --int8 models/plate_recognizer.onnx   # -> models/plate_recognizer_int8.onnx

Calibrated on seeded synthetic frames and crops, so reproducible from the repo.
The convolutions, where the time goes, run in int8 where rounding costs no reads:
- in the detector, only the Detect head's convolutions. Its box branch at stride
  8 (64 channels, the 16-bin box distribution) is the costliest layer, and int8
  there saves 4.7 of a 640x384 pass's 18.5 ms; the backbone and neck in int8
  saved 3 ms more but cost real-dev reads (scenes 0.939 / 0.953 / 0.756 against
  0.940 / 0.969 / 0.803 head only, US recall 0.904 against 0.947; session 13);
- the head's last convolutions stay in float: they give the box distributions and
  the scores' logits that leave the graph (`lpr.detector.decode_head` decodes them),
  and real US plates score near the 0.1 threshold, where int8 steps moved plates
  across it. (In an export that decodes in its graph, the decoding stays in float
  too: boxes in pixels and scores share one tensor, and one int8 scale for both
  rounds every score to zero);
- activation ranges are the 99.99th percentile, not the extremes, so one bright
  highlight does not coarsen every step.
The reader's LSTM stays in float (a tenth of its time).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import onnx

from lpr.detector import DEFAULT_LONG_SIDE
from lpr.preprocess import letterbox, normalise, to_blob
from training.export import HEAD_OUTPUT_CONV

logger = logging.getLogger(__name__)

CALIBRATION_SEED = 7
CALIBRATION_PERCENTILE = 99.99


def quantize(onnx_path: str | Path, out: str | Path | None = None) -> Path:
    """An int8 copy of a detector or reader export, told apart by the reader's charset."""
    meta = {p.key for p in onnx.load(str(onnx_path), load_external_data=False).metadata_props}
    return (quantize_reader if "charset" in meta else quantize_detector)(onnx_path, out)


def calibration_frames(count: int, seed: int = CALIBRATION_SEED) -> list[np.ndarray]:
    """Whole frames with one car and cluttered tiles, half each: both kinds of input range."""
    from training.synth.scenes import clean_frame, detector_scene

    rng = np.random.default_rng(seed)
    frames = []
    for i in range(count):
        if i % 2:
            frames.append(detector_scene(rng).image)
        else:
            frames.append(clean_frame(rng, plate_width=float(rng.uniform(60, 300)))[0])
    return frames


class _Batches:
    """onnxruntime's CalibrationDataReader protocol over prepared input batches."""

    def __init__(self, input_name: str, batches: Iterator[np.ndarray]):
        self.input_name = input_name
        self.batches = batches

    def get_next(self) -> dict | None:
        batch = next(self.batches, None)
        return None if batch is None else {self.input_name: batch}


def _frame_blobs(frames: list[np.ndarray]) -> Iterator[np.ndarray]:
    """Letterboxed frames, each padded to a square of the long side: the percentile
    calibrator pools activations across frames, so they must share one shape."""
    side = DEFAULT_LONG_SIDE
    for frame in frames:
        padded, _ = letterbox(frame, side)
        h, w = padded.shape[:2]
        padded = cv2.copyMakeBorder(
            padded, 0, side - h, 0, side - w, cv2.BORDER_CONSTANT, value=(114, 114, 114)
        )
        yield to_blob(padded)


def quantize_detector(
    onnx_path: str | Path, out: str | Path | None = None, frames: int = 128
) -> Path:
    from onnxruntime.quantization import CalibrationMethod

    source = onnx.load(str(onnx_path))
    head = _detect_head(source)
    in_float = [
        n.name
        for n in source.graph.node
        if not n.name.startswith(head)  # the backbone and neck
        or "/cv" not in n.name  # the head's decoding, in an export that holds it
        or HEAD_OUTPUT_CONV.search(n.name)
    ]
    return _quantize(
        onnx_path,
        out,
        source,
        _frame_blobs(calibration_frames(frames)),
        version_key="lpr_version",
        nodes_to_exclude=in_float,
        calibrate_method=CalibrationMethod.Percentile,
        extra_options={"CalibPercentile": CALIBRATION_PERCENTILE},
    )


def calibration_crops(
    count: int, size: tuple[int, int], seed: int = CALIBRATION_SEED, batch: int = 16
) -> Iterator[np.ndarray]:
    """Normalised reader inputs of seeded synthetic plates, in batches."""
    from training.synth.scenes import reader_sample

    rng = np.random.default_rng(seed)
    for start in range(0, count, batch):
        n = min(batch, count - start)
        yield normalise(np.stack([reader_sample(rng, size=size)[0] for _ in range(n)]))


def quantize_reader(
    onnx_path: str | Path, out: str | Path | None = None, crops: int = 2048
) -> Path:
    source = onnx.load(str(onnx_path))
    meta = {p.key: p.value for p in source.metadata_props}
    size = json.loads(meta["input"])
    return _quantize(
        onnx_path,
        out,
        source,
        calibration_crops(crops, (size["height"], size["width"])),
        version_key="version",
        op_types_to_quantize=["Conv", "MaxPool", "Relu"],
        # 7-bit weights: CPUs without VNNI (AVX2, early AVX-512) multiply uint8 by int8
        # in pairs summed into int16, which saturates on bright crops. On session 18's
        # AVX2 EPYC, 8-bit weights read 72 of real-dev's 193 glared scenes, 7-bit ones
        # 123 (float: 120); the seven sets 956 -> 1,042 of 1,458 (float 1,050).
        reduce_range=True,
    )


def _quantize(
    onnx_path, out, source: onnx.ModelProto, batches, version_key: str, **options
) -> Path:
    """QDQ int8 (per-channel int8 weights, uint8 activations); metadata kept, version marked.
    `options` go to onnxruntime's quantize_static."""
    from onnxruntime.quantization import QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    onnx_path = Path(onnx_path)
    out = Path(out or onnx_path.with_name(f"{onnx_path.stem}_int8.onnx"))
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(onnx_path), str(prepared), skip_symbolic_shape=True)
        quantize_static(
            str(prepared),
            str(out),
            _Batches(source.graph.input[0].name, batches),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            **options,
        )
    quantized = onnx.load(str(out))
    del quantized.metadata_props[:]
    for prop in source.metadata_props:
        value = f"{prop.value}-int8" if prop.key == version_key else prop.value
        quantized.metadata_props.append(onnx.StringStringEntryProto(key=prop.key, value=value))
    onnx.save(quantized, str(out))
    logger.info("int8 copy written to %s", out)
    return out


def _detect_head(model: onnx.ModelProto) -> str:
    """Name prefix of the last module (ultralytics' Detect), e.g. "/model.22/"."""
    last = model.graph.node[-1].name
    parts = last.split("/")
    if len(parts) < 3 or not parts[1].startswith("model."):
        raise ValueError(f"{last!r}: not an ultralytics detector export")
    return f"/{parts[1]}/"
