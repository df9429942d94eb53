"""Export both models to ONNX with what serving needs in the file's metadata.

lpr export [--detector models/plate_detector.pt] [--reader models/plate_recognizer.pt]
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
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
    # Named by the weights' content, so re-exporting the same weights keeps the version.
    digest = hashlib.sha256(Path(pt).read_bytes()).hexdigest()[:10]
    _set_metadata(out, {"lpr_version": f"{Path(pt).stem}-{digest}"})
    keep_head_outputs(out)
    logger.info("detector exported to %s", out)
    return out


# The Detect head's last convolutions, at each stride: cv2 gives the box distribution
# (4 sides x 16 bins), cv3 the plate score's logit.
HEAD_OUTPUT_CONV = re.compile(r"/cv([23])\.(\d+)/cv[23]\.\d+\.2/Conv$")


def keep_head_outputs(path: str | Path) -> Path:
    """Cut a detector export after its Detect head's last convolutions, in place.

    Ultralytics' export decodes every anchor in the graph: a softmax over each side's
    16 bins and a sigmoid for each of the 5,040 anchors of a 640x384 input, 1.2 of its
    14 ms on a Zen 5 core. `lpr.detector.decode_head` decodes only the few anchors whose
    logit passes the score threshold, to the same boxes (to 1e-4 px; models/HISTORY.md,
    session 41). Outputs: (box, score) per stride, finest first; metadata kept.
    """
    from onnx.utils import Extractor

    model = onnx.load(str(path))
    heads = {}
    for node in model.graph.node:
        if match := HEAD_OUTPUT_CONV.search(node.name):
            branch, level = match.groups()
            heads[(int(level), branch)] = node.output[0]
    if len(heads) % 2 or not heads:
        raise ValueError(f"{path}: no ultralytics Detect head (box and score convolutions)")
    outputs = [heads[k] for k in sorted(heads)]  # by stride, box (cv2) before score (cv3)
    cut = Extractor(model).extract_model([model.graph.input[0].name], outputs)
    del cut.metadata_props[:]
    cut.metadata_props.extend(model.metadata_props)
    onnx.save(cut, str(path))
    return Path(path)
