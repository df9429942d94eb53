"""Plate readers: the CRNN on ONNX Runtime (default) or PyTorch, one decode for both."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from lpr.charset import BLANK, CTCTokenizer
from lpr.formats import FormatMatcher
from lpr.preprocess import READER_SIZE, normalise, reader_gray
from lpr.runtime import onnx_session
from lpr.types import PlateRead

logger = logging.getLogger(__name__)


# Real US plates' W (California's and Texas's narrow, thin-stroked one) reads as H or N:
# on real-dev 18 of 33 US W were misread, against 11 of 159 synthetic ones. Yet at most
# of them the reader gives W 0.1-0.3 of the step's probability, and at most 0.04 at a
# real H, N or M. Weighting W by 4 (each step renormalised) fixed 6 W reads on real-dev
# and broke none; on 3,000 synthetic holdout crops exact 0.8420 -> 0.8423 (x8: 0.8410).
# (Session 3's reader; session 9's, fine-tuned since, still gains 3 reads by it, and
# session 10's, trained on upright US W, 2 at the labelled boxes: x1 0.798, x4 0.808.)
# Session 17's wider reader gives W less at those steps: x12 reads California's CWW2245
# right (twice), a Brazilian M as W (OKM2371) and a grille as WWWWW, and leaves five junk
# reads too unsure to pass (HHHH, HM0H, F07HE...). Real-dev exact reads over the seven
# sets: x4 1,048, x8 / x12 / x16 1,050, x32 1,046; scenes P 0.903 -> 0.921, exact 0.813
# -> 0.819. On 4,000 synthetic holdout crops 0.8520 -> 0.8515 (models/HISTORY.md, session 18).
# V, whose strokes fade the same way, reads as U or is lost (Arizona's `ASV9218` read
# ASU9218). Session 22's reader with V weighted x2 / x4 / x8 / x16 read 1,122 / 1,122 /
# 1,123 / 1,122 of the seven real-dev sets against 1,119 (x4 reads `MJ3R1V` and
# `ANTIG0V` right, x8 `ASV9218` too; none of the scenes or plate crops broken); on 8,000
# synthetic val and holdout crops x2 / x4 / x8 read 0.8645 / 0.8640 / 0.8636 against
# 0.8644. M, whose middle strokes fade too (`BM5T299` read BN5T299, `1255GM` 1255CM),
# weighted x2 / x4 / x8 on top: 1,126 / 1,129 / 1,129 (x8 loses a scene), none of the
# scenes or plate crops broken; synthetic x4 0.8636 (models/HISTORY.md, session 25).
# A US 1 with a flag and a foot reads as I or T, most often as a plate's first character
# (`1T10294` read ITI0294, `1G3296B` IG3296B, `149BPB` T49BPB). Session 34's reader with
# 1 weighted x1.1 / x1.25 / x1.35 / x1.5 / x2 / x3 read 1,179 / 1,183 / 1,181 / 1,180 /
# 1,180 / 1,178 of the seven real-dev sets against 1,179: x1.25 mended 4 plate crops and
# broke nothing (crops 268 -> 272); from x1.5 on, Is and Ts turn to 1s (`ANTIG0V`
# AN11G0V) and 1s appear in glare (`TNP222` TNP1222). The int8 pair 1,162 -> 1,165. On
# 12,000 synthetic val, test and holdout crops 0.8543 -> 0.8546 (HISTORY, session 40).
# E, whose bottom bar fades or is cut, reads as F: the commonest confusion of synthetic
# crops too (282 of 9,580 misreads of 96,000). Weighted x1.25 on top, real-dev's seven
# sets 1,183 -> 1,187 (`7EAV033`, `4EEU387`, `5BDE732` mended, none broken; US scenes
# exact 0.840 -> 0.851), synthetic 0.8546 -> 0.8548; x1.5 the same on real-dev.
CHAR_WEIGHTS = {"W": 12.0, "V": 4.0, "M": 4.0, "1": 1.25, "E": 1.25}


class PlateReader:
    """Reads plate crops. Subclasses supply `_probs` for a batch of inputs."""

    model_version: str = "unknown"

    def __init__(
        self,
        tokenizer: CTCTokenizer,
        top_n: int = 5,
        batch_size: int = 16,
        formats: FormatMatcher | None = None,
        input_size: tuple[int, int] = READER_SIZE,
        char_weights: dict[str, float] | None = None,
    ):
        self.tokenizer = tokenizer
        self.input_size = tuple(input_size)  # (height, width) the model was trained at
        self.top_n = top_n
        self.batch_size = batch_size
        self.formats = formats or FormatMatcher()
        weights = CHAR_WEIGHTS if char_weights is None else char_weights
        self.class_weights = np.ones(tokenizer.num_classes, np.float32)
        for char, weight in weights.items():
            if char in tokenizer.charset:  # a reader without that letter has nothing to weigh
                self.class_weights[tokenizer.encode(char)[0]] = weight

    def read(self, crops: list[np.ndarray]) -> list[PlateRead]:
        reads: list[PlateRead] = []
        for start in range(0, len(crops), self.batch_size):
            chunk = crops[start : start + self.batch_size]
            batch = normalise(np.stack([reader_gray(c, self.input_size) for c in chunk]))
            for probs in self._weighted(self._probs(batch)):
                read = self._decode(probs)
                if read.format is None and (trimmed := _without_stray_lead(probs)) is not None:
                    # Dropping a character does not make the read surer: it keeps the
                    # confidence it had, so it passes the read threshold as before.
                    read = replace(self._decode(trimmed), confidence=read.confidence)
                reads.append(read)
        return reads

    def _decode(self, probs: np.ndarray) -> PlateRead:
        text, confs, candidates = self.tokenizer.decode(probs, self.top_n)
        conf = math.prod(confs) if confs else 0.0
        read = PlateRead(text, conf, confs, candidates, text_span=_span(probs))
        # Format patterns break near-ties among the candidates (O/0, B/8).
        return self.formats.apply(read)

    def _weighted(self, probs: np.ndarray) -> np.ndarray:
        """Per-step probabilities [N, T, C] with the class weights applied, renormalised."""
        weighted = probs * self.class_weights
        return weighted / weighted.sum(axis=-1, keepdims=True)

    def _probs(self, batch: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def warm_up(self) -> None:
        self.read([np.full((40, 160, 3), 200, np.uint8)])


# A first character emitted well left of the rest, and unsure, is mostly an emblem, a
# stacked county code or a sticker beside the number (US specialty plates), not part of
# it. Thresholds chosen on real-dev's plate crops (exact 0.657 -> 0.677, none broken
# there or at its scenes' labelled boxes); on 4,000 synthetic holdout crops 0.8448 ->
# 0.8453. Reads that fit a format pattern are left alone.
STRAY_GAP = 1.5  # gap to the next character, in the median pitch of the rest
STRAY_MAX_CONF = 0.9


def _without_stray_lead(probs: np.ndarray) -> np.ndarray | None:
    """`probs` with a stray first character turned to blank steps, or None if there is none."""
    best = probs.argmax(axis=1)
    runs: list[list[int]] = []  # [first step, last step] of each emitted character
    for t, cls in enumerate(best):
        if cls == BLANK:
            continue
        if t > 0 and best[t - 1] == cls:  # the same character held over steps
            runs[-1][1] = t
        else:
            runs.append([t, t])
    if len(runs) < 5:
        return None
    starts = np.array([r[0] for r in runs])
    pitch = float(np.median(np.diff(starts[1:])))
    first, last = runs[0]
    if starts[1] - starts[0] < STRAY_GAP * pitch:
        return None
    if probs[first : last + 1, best[first]].max() >= STRAY_MAX_CONF:
        return None
    out = probs.copy()
    out[first : last + 1] = 0.0
    out[first : last + 1, BLANK] = 1.0
    return out


def _span(probs: np.ndarray) -> tuple[float, float] | None:
    """First and last emitting CTC step, as fractions of the input width."""
    steps = np.flatnonzero(probs.argmax(axis=1) != BLANK)
    if not len(steps):
        return None
    return float(steps[0] / len(probs)), float((steps[-1] + 1) / len(probs))


class OnnxReader(PlateReader):
    def __init__(self, path: str | Path, device: str = "cpu", threads: int = 1, **kwargs):
        self.session = onnx_session(path, device, threads)
        meta = self.session.get_modelmeta().custom_metadata_map
        if "charset" not in meta:
            raise ValueError(f"{path} is not a plate reader: no charset in its metadata")
        shape = self.session.get_inputs()[0].shape  # [batch, 1, height, width]
        super().__init__(
            CTCTokenizer(json.loads(meta["charset"])), input_size=(shape[2], shape[3]), **kwargs
        )
        self.model_version = meta.get("version", Path(path).stem)
        self._input = self.session.get_inputs()[0].name

    def _probs(self, batch: np.ndarray) -> np.ndarray:
        return np.exp(self.session.run(None, {self._input: batch.astype(np.float32)})[0])


class TorchReader(PlateReader):
    def __init__(self, path: str | Path, device: str = "cpu", threads: int = 1, **kwargs):
        import torch

        from lpr.crnn import reader_from_checkpoint

        torch.set_num_threads(threads)
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
        size = (ckpt["model"]["height"], ckpt["model"]["width"])
        super().__init__(CTCTokenizer(ckpt["charset"]), input_size=size, **kwargs)
        self.model = reader_from_checkpoint(ckpt).eval().to(device)
        self.device = device
        self.model_version = ckpt.get("version", Path(path).stem)

    def _probs(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.model(torch.from_numpy(batch).to(self.device)).exp().cpu().numpy()
