"""Run the models over a labelled set for `lpr eval`."""

from __future__ import annotations

import json
import sys

from tqdm import tqdm

from lpr.inference import Pipeline
from lpr.labels import LabelledImage
from lpr.scan import decode_image, write_annotation


def predict(
    items: list[LabelledImage],
    pipeline: Pipeline,
    save: str | None = None,
    annotate_dir: str | None = None,
    oracle_boxes: bool = False,
) -> dict[str, list[dict]]:
    """Scene images go through the whole pipeline; plate crops straight to the reader.

    With `oracle_boxes`, scenes are read at their labelled boxes instead of the
    detected ones: the reader's own accuracy, apart from the detector's misses.
    """
    predictions: dict[str, list[dict]] = {}
    out = open(save, "w", encoding="utf-8") if save else None
    try:
        for item in tqdm(items, unit="img", disable=not sys.stderr.isatty()):
            try:
                image = decode_image(item.path)
            except (ValueError, OSError) as exc:
                print(f"lpr eval: {item.image}: {exc}", file=sys.stderr)
                predictions[item.image] = []
                continue
            if item.kind == "plate_crop":
                h, w = image.shape[:2]  # the whole image is the plate's box
                read = pipeline.read_boxes(image, [(0, 0, w, h)])[0]
                plates = [{"text": read.text, "confidence": read.confidence, "box": [0, 0, w, h]}]
            elif oracle_boxes:
                reads = pipeline.read_boxes(image, [p.box for p in item.plates])
                plates = [
                    {"text": r.text, "confidence": r.confidence, "box": list(p.box)}
                    for r, p in zip(reads, item.plates, strict=True)
                ]
            else:
                plates = [r.to_json() for r in pipeline.process(image)]
            predictions[item.image] = plates
            if out:
                out.write(
                    json.dumps({"image": item.image, "plates": plates}, ensure_ascii=False) + "\n"
                )
            if annotate_dir:
                write_annotation(annotate_dir, item.image, image, plates)
    finally:
        if out:
            out.close()
    return predictions
