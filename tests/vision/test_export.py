"""ONNX Runtime and PyTorch give the same answers, for a fresh export and the committed files."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from lpr.charset import CTCTokenizer
from lpr.crnn import CRNN
from lpr.detector import decode_head
from lpr.inference import load_detector, load_reader
from lpr.preprocess import letterbox, to_blob
from lpr.runtime import onnx_session
from tests.vision.test_scan_cli import clean_frame
from training.export import export_detector, export_reader
from training.offline import offline_ultralytics
from training.reader import ReaderConfig, save

MODELS = Path(__file__).resolve().parents[2] / "models"
CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZأبدهوط"


def crops(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return [
        rng.integers(
            0, 255, (int(rng.integers(20, 60)), int(rng.integers(60, 200)), 3), dtype=np.uint8
        )
        for _ in range(n)
    ]


def test_fresh_reader_export_matches_torch(tmp_path):
    torch.manual_seed(0)
    tok = CTCTokenizer(CHARSET)
    model = CRNN(tok.num_classes).eval()
    pt = tmp_path / "reader.pt"
    save(model, tok, ReaderConfig(), [], str(pt))
    onnx_path = export_reader(pt)
    onnx_reader, torch_reader = load_reader(onnx_path, "onnx"), load_reader(pt, "torch")
    batch = np.stack(
        [np.random.default_rng(1).uniform(-1, 1, (1, 32, 128)).astype(np.float32) for _ in range(5)]
    )
    np.testing.assert_allclose(onnx_reader._probs(batch), torch_reader._probs(batch), atol=1e-4)
    assert onnx_reader.tokenizer.charset == CHARSET  # the charset travels in the ONNX metadata


@pytest.mark.parametrize("stem", ["plate_recognizer"])
def test_committed_reader_onnx_matches_pt(stem):
    a = load_reader(MODELS / f"{stem}.onnx", "onnx").read(crops())
    b = load_reader(MODELS / f"{stem}.pt", "torch").read(crops())
    assert [r.text for r in a] == [r.text for r in b]
    np.testing.assert_allclose([r.confidence for r in a], [r.confidence for r in b], atol=1e-3)


def test_committed_detector_onnx_matches_pt():
    frame, _, box = clean_frame(7, "fr_siv")
    onnx_dets = load_detector(MODELS / "plate_detector.onnx", "onnx").detect(frame)
    torch_dets = load_detector(MODELS / "plate_detector.pt", "ultralytics").detect(frame)
    assert onnx_dets and len(onnx_dets) == len(torch_dets)
    for a, b in zip(onnx_dets, torch_dets, strict=True):
        assert np.abs(np.subtract(a.box, b.box)).max() < 4.0
        assert abs(a.confidence - b.confidence) < 0.05


def test_fresh_detector_export_gives_the_committed_onnx_outputs(tmp_path):
    """The exporter (cut after the Detect head, training/export.py) reproduces the committed file."""
    pt = tmp_path / "plate_detector.pt"
    shutil.copy(MODELS / "plate_detector.pt", pt)
    fresh, committed = (
        onnx_session(export_detector(pt)),
        onnx_session(MODELS / "plate_detector.onnx"),
    )
    assert len(fresh.get_outputs()) == 6  # box and score at strides 8, 16, 32
    frame, _, _ = clean_frame(7, "us_ca")
    for side in (640, 320):
        padded, _ = letterbox(frame, side)
        blob = {"images": to_blob(padded)}
        for a, b in zip(fresh.run(None, blob), committed.run(None, blob), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


def test_head_decoding_gives_ultralytics_own_decoded_boxes(tmp_path):
    """`decode_head` on the head's raw outputs gives the anchors that ultralytics' plain
    export decodes in its graph, and the detector reads either file to the same plates."""
    from ultralytics import YOLO

    offline_ultralytics()
    shutil.copy(MODELS / "plate_detector.pt", tmp_path / "plain.pt")
    plain = YOLO(str(tmp_path / "plain.pt"), task="detect").export(
        format="onnx", dynamic=True, simplify=True, imgsz=640, verbose=False
    )
    frame, _, _ = clean_frame(7, "us_ca")
    padded, _ = letterbox(frame, 640)
    blob = {"images": to_blob(padded)}
    decoded = onnx_session(plain).run(None, blob)[0][0].T  # [N, 5]: cx, cy, w, h, score
    expected = decoded[decoded[:, 4] >= 0.001]
    rows = decode_head(
        onnx_session(MODELS / "plate_detector.onnx").run(None, blob), padded.shape[0], 0.001
    )
    assert len(expected) >= 10 and rows.shape == expected.shape
    np.testing.assert_allclose(rows, expected, rtol=1e-4, atol=1e-2)

    ours, theirs = (load_detector(p).detect(frame) for p in (MODELS / "plate_detector.onnx", plain))
    assert ours and [d.confidence for d in ours] == pytest.approx([d.confidence for d in theirs])
    np.testing.assert_allclose([d.box for d in ours], [d.box for d in theirs], atol=1e-2)


def test_reader_ensemble_averages_its_members_probabilities_in_both_backends(tmp_path):
    from training.reader import ensemble_checkpoints

    tok = CTCTokenizer(CHARSET)
    members = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        members.append(tmp_path / f"r{seed}.pt")
        save(CRNN(tok.num_classes).eval(), tok, ReaderConfig(), [], str(members[-1]))
    ensemble = tmp_path / "ensemble.pt"
    ensemble_checkpoints(members, ensemble)
    batch = np.random.default_rng(3).uniform(-1, 1, (4, 1, 32, 128)).astype(np.float32)
    expected = np.mean([load_reader(p, "torch")._probs(batch) for p in members], axis=0)

    from_pt = load_reader(ensemble, "torch")
    from_onnx = load_reader(export_reader(ensemble), "onnx")
    np.testing.assert_allclose(from_pt._probs(batch), expected, atol=1e-5)
    np.testing.assert_allclose(from_onnx._probs(batch), expected, atol=1e-4)
    assert from_onnx.tokenizer.charset == CHARSET
    assert [r.text for r in from_onnx.read(crops())] == [r.text for r in from_pt.read(crops())]
