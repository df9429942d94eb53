"""Export both models to ONNX with what serving needs in the file's metadata.

lpr export [--detector models/plate_detector.pt] [--reader models/plate_recognizer.pt]
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import onnx

from training.offline import offline_ultralytics

logger = logging.getLogger(__name__)


def _set_metadata(path: Path, values: dict[str, str]) -> None:
    model = onnx.load(str(path))
    existing = {p.key: p for p in model.metadata_props}
    for key, value in values.items():
        if key in existing:
            existing[key].value = value
        else:
            model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.save(model, str(path))


def export_reader(pt: str | Path, out: str | Path | None = None) -> Path:
    import torch

    from lpr.crnn import reader_from_checkpoint

    ckpt = torch.load(pt, map_location="cpu", weights_only=False)
    model = reader_from_checkpoint(ckpt).eval()
    out = Path(out or Path(pt).with_suffix(".onnx"))
    example = torch.zeros(2, 1, ckpt["input"]["height"], ckpt["input"]["width"])
    # The legacy exporter handles the LSTM cleanly; the batch axis stays dynamic.
    torch.onnx.export(
        model,
        (example,),
        str(out),
        input_names=["images"],
        output_names=["logprobs"],
        dynamic_axes={"images": {0: "batch"}, "logprobs": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    _set_metadata(
        out,
        {
            "charset": json.dumps(ckpt["charset"], ensure_ascii=False),
            "version": ckpt.get("version", Path(pt).stem),
            "input": json.dumps(ckpt["input"]),
        },
    )
    logger.info("reader exported to %s", out)
    return out


def export_detector(pt: str | Path, out: str | Path | None = None) -> Path:
    offline_ultralytics()
    from ultralytics import YOLO

    model = YOLO(str(pt), task="detect")
    # Dynamic H and W: a frame is letterboxed to its own aspect (640x384 for
    # 16:9), which costs ~40 % less than a square input.
    exported = Path(
        model.export(format="onnx", dynamic=True, simplify=True, imgsz=640, verbose=False)
    )
    out = Path(out or Path(pt).with_suffix(".onnx"))
    if exported.resolve() != out.resolve():
        shutil.move(exported, out)
    _set_metadata(out, {"lpr_version": f"{Path(pt).stem}-{int(Path(pt).stat().st_mtime)}"})
    logger.info("detector exported to %s", out)
    return out
