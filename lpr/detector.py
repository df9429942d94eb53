"""Plate detectors: YOLO on ONNX Runtime (default) or through ultralytics."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import cv2
import numpy as np

from lpr.evaluate import share_inside
from lpr.preprocess import DARK_BELOW, letterbox, lift_dark, to_blob
from lpr.runtime import onnx_session
from lpr.types import Detection

logger = logging.getLogger(__name__)

# The detector was trained on tiles at "640-wide frame" scale: a 1280x720
# frame shrunk to 640 keeps 50 px plates at 25 px, still well detected,
# while the rectangular 640x384 input costs ~60 % of a square 640.
DEFAULT_LONG_SIDE = 640
# A frame with no sure box gets more looks, and keeps from them only plates the
# first pass did not box (models/HISTORY.md, sessions 4 and 11):
# - a coarse one, if no box scores COARSE_IF_BELOW: plates near the camera (a
#   gate, a close-up) are larger at 640 than any plate the detector saw in
#   training, and shrink into its range at 320; ~1/4 of the first pass's cost;
# - then a fine one, if still no box scores FINE_IF_BELOW: plates far away (50-110
#   px wide in a 1280 px frame, 25-55 px at 640) score under 0.1 at 640 and
#   0.3-0.8 at 960. Its weak boxes are mostly junk, so they must score
#   FINE_MIN_SCORE. Real-dev scenes P / R / exact: 0.923 / 0.927 / 0.772 without
#   it, 0.920 / 0.948 / 0.782 with it; a fine look at every frame whose best box is
#   under 0.5 (not 0.4) gains nothing more for 1.6x the looks. At a 1280x720 frame's
#   own size (not 960, session 25) four far US plates that no pass of 960 or less
#   boxes are found (`CEMENT0` at 0.71, `8D79882` at 0.65; the plate is as many pixels
#   wide as the detector saw in training): exact reads over the seven real-dev sets
#   1,114 -> 1,119, US scenes recall 0.926 -> 0.936 and exact 0.734 -> 0.755. The pass
#   costs ~4x the first (~2x at 960): the median frame is unchanged, p95 70 -> 92 ms.
COARSE_LONG_SIDE = 320
COARSE_IF_BELOW = 0.5
FINE_LONG_SIDE = 1280
FINE_IF_BELOW = 0.4
FINE_MIN_SCORE = 0.2
# A frame still without a sure box after those gets a last look in grey at the first
# pass's size: the detector learnt plate colours from the generator, and a plate in a
# colour it rarely drew (a yellow Czech plate, `BSE5579`: 0.10 in colour, 0.41 in
# grey) scores low until the colour is gone. Its boxes are taken as the fine pass's
# are. On real-dev (session 26) exact reads over the seven sets 1,139 -> 1,141, EU
# scenes recall 0.980 -> 1.000 and exact 0.898 -> 0.918; run before the fine pass, its
# sure boxes stopped that pass finding better ones (1,139).

# A camera's date, time or name line hugs the frame's top edge, a few % of its height
# tall, and reads as 6-10 characters: 4 of the 9 US false plates on real-dev's scenes
# (`201404`, `4430061820`: y = 0-4, 11-23 px tall in 720 px frames; session 20). A
# box whose top lies within OVERLAY_TOP of the frame's height from its top edge and
# that is at most OVERLAY_HEIGHT of it tall is taken for one. Real-dev's labelled
# plates nearest the top (y = 8, 41 and 47 px tall) are far taller; a plate the frame
# cuts at its top edge (`6MTP929`, 37 px) is left to the reader. 0 turns it off.
OVERLAY_TOP = 0.01
OVERLAY_HEIGHT = 0.035


class PlateDetector:
    model_version: str = "unknown"

    def __init__(
        self,
        long_side: int = DEFAULT_LONG_SIDE,
        conf: float = 0.1,
        iou: float = 0.5,
        coarse_side: int = COARSE_LONG_SIDE,  # 0: no coarse pass
        fine_side: int = FINE_LONG_SIDE,  # 0: no fine pass
        dark_below: float = DARK_BELOW,  # 0: never lift dark frames
        overlay_height: float = OVERLAY_HEIGHT,  # 0: keep boxes on a top-edge text line
        grey_pass: bool = True,  # False: no last look in grey
    ):
        self.long_side = long_side
        self.conf = conf
        self.iou = iou
        self.coarse_side = coarse_side
        self.fine_side = fine_side
        self.dark_below = dark_below
        self.overlay_height = overlay_height
        self.grey_pass = grey_pass

    def detect(self, image: np.ndarray) -> list[Detection]:
        # Boxes are in the frame's coordinates either way; only the detector sees
        # the lifted frame (the reader stretches each crop's contrast itself).
        image = lift_dark(image, self.dark_below)
        found = self._plates(image, self.long_side)
        longest = max(image.shape[:2])
        if self.coarse_side and longest > self.coarse_side:
            if _unsure(found, COARSE_IF_BELOW):
                found = add_new(found, self._plates(image, self.coarse_side))
            elif longest <= self.long_side:
                # A frame no larger than the first pass's input was enlarged for it, and
                # a close plate grew past the detector's range even if a sure box was
                # found: a coarse look, cheap at this size, adds its sure boxes only.
                coarse = self._plates(image, self.coarse_side)
                found = add_new(found, [d for d in coarse if d.confidence >= COARSE_IF_BELOW])
        if not _unsure(found, FINE_IF_BELOW):
            return found
        # No finer than the frame itself (upscaling shows the detector nothing new),
        # and at least a quarter finer than the first pass, or it is not worth its cost.
        fine_side = min(self.fine_side, longest)
        if fine_side >= 1.25 * self.long_side:
            found = add_finer(found, self._sure_enough(image, fine_side))
        if self.grey_pass and _unsure(found, FINE_IF_BELOW):
            grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
            found = add_finer(found, self._sure_enough(grey, self.long_side))
        return found

    def _sure_enough(self, image: np.ndarray, long_side: int) -> list[Detection]:
        """A late pass's boxes that score FINE_MIN_SCORE: its weak ones are mostly junk."""
        return [d for d in self._plates(image, long_side) if d.confidence >= FINE_MIN_SCORE]

    def _plates(self, image: np.ndarray, long_side: int) -> list[Detection]:
        """One pass's boxes, less those on a camera's text line at the top edge."""
        height = image.shape[0]
        return [
            d
            for d in self._detect(image, long_side)
            if not on_top_line(d.box, height, self.overlay_height)
        ]

    def _detect(self, image: np.ndarray, long_side: int) -> list[Detection]:
        raise NotImplementedError

    def warm_up(self) -> None:
        self.detect(np.zeros((720, 1280, 3), np.uint8))


class OnnxDetector(PlateDetector):
    def __init__(self, path: str | Path, device: str = "cpu", threads: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.session = onnx_session(path, device, threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        names = ast.literal_eval(meta.get("names", "{0: 'plate'}"))
        if list(names.values()) != ["plate"]:
            raise ValueError(f"{path} is not a plate detector (classes {names})")
        channels = [o.shape[1] for o in self.session.get_outputs()]
        if channels != [5] and not _head_pairs(channels):
            raise ValueError(
                f"{path} is not a one-class YOLOv8 detector export: its outputs have "
                f"{channels} channels, not 5 (decoded boxes and score) nor (box, score) "
                "pairs of a Detect head"
            )
        self.model_version = meta.get("lpr_version", meta.get("version", Path(path).stem))
        self._input = self.session.get_inputs()[0].name
        shape = self.session.get_inputs()[0].shape
        # An export with a fixed size cannot take other shapes: use it as is, one pass.
        self.fixed = (shape[2], shape[3]) if all(isinstance(s, int) for s in shape[2:]) else None
        if self.fixed:
            self.coarse_side = self.fine_side = 0

    def _detect(self, image: np.ndarray, long_side: int) -> list[Detection]:
        if self.fixed:
            padded, (scale, px, py) = _fit(image, *self.fixed)
        else:
            padded, (scale, px, py) = letterbox(image, long_side)
        return self._run(padded, scale, px, py, image.shape)

    def _run(self, padded, scale, px, py, shape) -> list[Detection]:
        blob = to_blob(padded)
        outputs = self.session.run(None, {self._input: blob})
        if len(outputs) == 1:  # ultralytics' own export, decoded in the graph: [1, 5, N]
            rows = outputs[0][0].T
        else:  # ours (training/export.py): the head's raw outputs
            rows = decode_head(outputs, blob.shape[2], self.conf)
        return postprocess(rows, scale, px, py, shape, self.conf, self.iou)


class UltralyticsDetector(PlateDetector):
    def __init__(self, path: str | Path, device: str = "cpu", threads: int = 1, **kwargs):
        super().__init__(**kwargs)
        if not Path(path).is_file():  # else ultralytics tries to download it by that name
            raise FileNotFoundError(f"model file not found: {path}")
        from training.offline import offline_ultralytics

        offline_ultralytics()
        import torch
        from ultralytics import YOLO

        torch.set_num_threads(threads)
        self.model = YOLO(str(path), task="detect")
        self.device = device
        self.model_version = Path(path).stem

    def _detect(self, image: np.ndarray, long_side: int) -> list[Detection]:
        res = self.model.predict(
            image,
            imgsz=long_side,
            conf=self.conf,
            iou=self.iou,
            device=self.device,
            verbose=False,
            rect=True,
        )[0]
        return [
            Detection(tuple(float(v) for v in b), float(c))
            for b, c in zip(res.boxes.xyxy.cpu().numpy(), res.boxes.conf.cpu().numpy(), strict=True)
        ]


def on_top_line(box, frame_height: int, max_height: float = OVERLAY_HEIGHT) -> bool:
    """Whether `box` lies on a text line along the frame's top edge (a camera overlay)."""
    return box[1] <= OVERLAY_TOP * frame_height and box[3] - box[1] <= max_height * frame_height


def _unsure(found: list[Detection], sure: float) -> bool:
    return all(d.confidence < sure for d in found)


def add_new(found: list[Detection], more: list[Detection]) -> list[Detection]:
    """`found` and those of `more` (a coarser pass) that box no plate already found.

    A coarse box lying half inside a found one is that plate again, or a part of
    it (IoU alone lets a box on half a plate through). One that holds a found box
    stays: it is likely a close plate of which the first pass saw a part.
    """
    new = [m for m in more if all(share_inside(m.box, d.box) < 0.5 for d in found)]
    return sorted(found + new, key=lambda d: d.box[0])


def add_finer(found: list[Detection], finer: list[Detection]) -> list[Detection]:
    """`found` and the boxes of a finer pass that box new plates, where a found box that
    holds a surer finer box gives way to it: the finer look saw that plate better.

    A far plate seen at 640 is often boxed weakly with its frame or a bumper sticker
    beside it (`8D79882`: 0.15, 2.2x too wide), and at 1280 surely on its own (0.65);
    `add_new` kept the weak box, since the sure one lies inside it. On real-dev (session
    25) exact reads over the seven sets 1,129 -> 1,139: US scenes recall 0.936 -> 0.957,
    exact 0.777 -> 0.798; darkened scenes +7, blurred +4, glared -1 and occluded -2 (a
    Brazilian plate, half hidden, gave way to its city line). Asking the finer box to be
    at least 0.5 (0.7) times as tall as the box it replaces read 1,135 (1,131).
    """
    kept = [
        d
        for d in found
        if not any(share_inside(f.box, d.box) >= 0.5 and f.confidence > d.confidence for f in finer)
    ]
    return add_new(kept, finer)


def _fit(image: np.ndarray, height: int, width: int):
    h, w = image.shape[:2]
    scale = min(height / h, width / w)
    nh, nw = int(round(h * scale)), int(round(w * scale))
    out = np.full((height, width, 3), 114, np.uint8)
    py, px = (height - nh) // 2, (width - nw) // 2
    out[py : py + nh, px : px + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out, (scale, px, py)


def _head_pairs(channels: list) -> bool:
    """Whether outputs of these channel counts are a Detect head's (box distribution,
    score logit) per stride, as `training.export.keep_head_outputs` leaves them."""
    boxes, scores = channels[0::2], channels[1::2]
    return (
        len(boxes) == len(scores) > 0
        and all(isinstance(c, int) and c % 4 == 0 for c in boxes)
        and all(c == 1 for c in scores)
    )


def decode_head(outputs: list[np.ndarray], input_height: int, conf: float) -> np.ndarray:
    """Rows [K, 5] (cx, cy, w, h, score in input pixels) of the anchors scoring `conf`.

    `outputs`: a YOLOv8 Detect head's last convolutions, per stride a box distribution
    [1, 4 x bins, H, W] (left, top, right, bottom) and a score logit [1, 1, H, W]. The
    decoding is ultralytics' (DFL: each side the expected bin of its softmax, in
    strides from the anchor at the cell's centre), done only where the logit passes.
    """
    levels: dict[tuple, dict] = {}
    for out in outputs:
        kind = "score" if out.shape[1] == 1 else "box"
        levels.setdefault(out.shape[2:], {})[kind] = out[0]
    min_logit = np.log(conf / (1 - conf))
    rows = []
    for (h, w), level in sorted(levels.items(), reverse=True):  # finest first, as ultralytics
        logits = level["score"].reshape(-1)
        cells = np.flatnonzero(logits >= min_logit)
        if not len(cells):
            continue
        stride = input_height / h
        bins = level["box"].reshape(4, -1, h * w)[:, :, cells]  # [side, bin, anchor]
        p = np.exp(bins - bins.max(axis=1, keepdims=True))
        left, top, right, bottom = (p * np.arange(bins.shape[1])[:, None]).sum(1) / p.sum(1)
        ys, xs = np.divmod(cells, w)
        cx = (xs + 0.5 + (right - left) / 2) * stride
        cy = (ys + 0.5 + (bottom - top) / 2) * stride
        score = 1 / (1 + np.exp(-logits[cells]))
        rows.append(np.stack([cx, cy, (left + right) * stride, (top + bottom) * stride, score], 1))
    return np.concatenate(rows) if rows else np.zeros((0, 5), np.float32)


def postprocess(
    rows: np.ndarray, scale: float, px: int, py: int, shape, conf: float, iou: float
) -> list[Detection]:
    """Raw YOLO rows [N, 5] to boxes in the original image, after NMS."""
    rows = rows[rows[:, 4] >= conf]
    if not len(rows):
        return []
    cx, cy, w, h, score = rows.T
    x1 = (cx - w / 2 - px) / scale
    y1 = (cy - h / 2 - py) / scale
    boxes = np.stack([x1, y1, w / scale, h / scale], axis=1)
    keep = cv2.dnn.NMSBoxes(boxes.tolist(), score.tolist(), conf, iou)
    H, W = shape[:2]
    found = []
    for i in np.array(keep).reshape(-1):
        bx, by, bw, bh = boxes[i]
        box = (max(0.0, bx), max(0.0, by), min(float(W), bx + bw), min(float(H), by + bh))
        if box[2] > box[0] and box[3] > box[1]:
            found.append(Detection(tuple(float(v) for v in box), float(score[i])))
    return sorted(found, key=lambda d: d.box[0])
