"""Reads that hold when the box moves: a vote among reads of slightly shifted boxes.

Some reads are decided by a hair: the O or D of a Brazilian plate, the W or H
of a Californian one. Moving the box by a few pixels, as an int8 detector
does, flips them. So an accepted read with an unsure character is read again
with its box moved up and down by 6 % of its height (how much of the state
name, slogan or frame comes in changes the read most), and the text most of
the three reads give wins (ties: the larger summed confidence). On real-dev,
with session 3's reader:
scenes exact 0.720 -> 0.741, at the labelled boxes 0.736 -> 0.751, plate crops
0.677 -> 0.683; four shifts (also 3 % sideways) cost twice as much for as much
(models/HISTORY.md, session 9).

Only reads a policy accepts are voted on (junk boxes are not worth two more
reads), and only unsure ones: a read whose every character is at least
`UNSURE_BELOW` sure seldom flips (voting on every accepted read gained one
plate more for twice the reads).

A box known to hold a plate (a labelled one, or one the detector scores at
least `SURE_BOX`) is voted on even when its read is less sure than the policy
asks, since a plate dropped for an unsure read is a plate missed: its moved
boxes often read surer (a far Californian plate read `HZ33GZD` at 0.04 from its
box reads `L33GZD` at 0.29 after the vote). The vote's read is the surest read
of the winning text: reads that agree are evidence. On real-dev (session 13,
models/HISTORY.md): US scenes recall 0.915 -> 0.957 at precision 0.915 -> 0.918,
at the labelled boxes exact 0.808 -> 0.819. `SURE_BOX` 0.55 lets a word on a
Brazilian car (0.22) in as a plate, 0.65 misses three US plates again.

A read whose format hint chose a runner-up (Missouri's `DK7J8G` at 0.12 over
the top read `DK7JBG` at 0.88) is voted on as if it were as sure as the top read:
its moved boxes often read the runner-up surely. Without this, a pattern that
rescues a character loses the plate below the policy's threshold (session 19).

When the box and its two moved views do not all agree, one view decides the vote,
so two more views (12 % up and down) are read and all five vote. Those views choose
among texts: they do not drop a plate the first three kept, nor trade a text that
fits a plate format for one that fits none (without that, Missouri's `DK7J8G` and
`KL3B8K`, blurred and darkened, read `DK7JBG` and `KL3BBK`).
- Session 15 read more views for three-way splits only (four: also 3 % left and
  right): exact reads of the seven real-dev sets (scenes, labelled boxes, plate
  crops, the four degraded sets) 966 -> 981.
- Session 36, for 2:1 splits as well: 1,166 -> 1,178 (19 plates mended, 7 broken,
  sign test p 0.03), plate crops 264 -> 268, no target lost; the int8 pair 1,153 ->
  1,162. The vertical views carry it (how much of the state name, slogan or frame a
  view takes in changes the read most): with the sideways ones as well 1,176 for
  3.4 ms a frame more, with those alone on 2:1 splits 1,170. A 1280x720 frame reads
  1.7 moved views against 1.8 (a three-way split takes two, not four), at the same
  speed (models/HISTORY.md, session 36).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from lpr.preprocess import crop_plate
from lpr.types import PlateRead, ReadPolicy

SHIFTS = ((0.0, 0.06), (0.0, -0.06))  # (x, y) in the box's width and height
TIE_SHIFTS = ((0.0, 0.12), (0.0, -0.12))  # when the first three reads do not all agree
UNSURE_BELOW = 0.9
SURE_BOX = 0.6  # detector score from which a box is taken to hold a plate
# Boxes the detector scores under 0.2 are mostly junk: on real-dev's scenes 118 of the
# 378 votes, and 2 of the 41 on plates, neither of which the vote read right (session 21).
VOTE_FROM = 0.2


def steady(
    reader,
    image: np.ndarray,
    boxes: list,
    reads: list[PlateRead],
    policy: ReadPolicy,
    scores: list[float] | None = None,
) -> list[PlateRead]:
    """`reads` of `boxes` in `image`, each unsure accepted one replaced by its vote.

    `scores[k]`: the detector's score of box k (1.0 for a labelled box; unknown ones
    count as `VOTE_FROM`). From `SURE_BOX` the box is known to hold a plate, so its
    read is voted on whatever its confidence (it must still be as long as the policy
    asks); under `VOTE_FROM` it is not voted on.
    """
    scores = scores or [VOTE_FROM] * len(reads)
    any_confidence = replace(policy, min_confidence=0.0)
    unsure = [
        k
        for k, read in enumerate(reads)
        if scores[k] >= VOTE_FROM
        and (any_confidence if scores[k] >= SURE_BOX else policy).accepts(_as_ranked(read))
        and _is_unsure(read)
    ]
    if not unsure:
        return list(reads)
    moved = _reads_of_views(reader, image, [boxes[k] for k in unsure], SHIFTS)
    voters = [[reads[k], *views] for k, views in zip(unsure, moved, strict=True)]
    split = [i for i, group in enumerate(voters) if len({r.text for r in group}) > 1]
    more = _reads_of_views(reader, image, [boxes[unsure[i]] for i in split], TIE_SHIFTS)
    steadied = list(reads)
    for i, k in enumerate(unsure):
        steadied[k] = vote(voters[i])
    for i, views in zip(split, more, strict=True):
        k = unsure[i]
        tie_broken = vote(voters[i] + views)
        # More views choose among texts; they do not drop a plate the first three kept,
        # nor trade a text that fits a plate format for one that fits none.
        first_stands = policy.accepts(steadied[k]) and (
            not policy.accepts(tie_broken) or (steadied[k].format and not tie_broken.format)
        )
        if not first_stands:
            steadied[k] = tie_broken
    return steadied


def _reads_of_views(reader, image, boxes: list, shifts) -> list[list[PlateRead]]:
    """For each box, the reads of it moved by each of `shifts`: one batch for all."""
    if not boxes:
        return []
    reads = reader.read([crop_plate(image, shift(b, dx, dy)) for b in boxes for dx, dy in shifts])
    n = len(shifts)
    return [reads[i * n : (i + 1) * n] for i in range(len(boxes))]


def vote(reads: list[PlateRead]) -> PlateRead:
    """The surest read of the text most `reads` give; the first read wins a full tie."""
    counts = Counter(r.text for r in reads)
    weight = Counter()
    for r in reads:
        weight[r.text] += r.confidence
    best = max(counts, key=lambda text: (counts[text], weight[text]))
    return max((r for r in reads if r.text == best), key=lambda r: r.confidence)


def shift(box, dx: float, dy: float) -> tuple[float, float, float, float]:
    """`box` moved by `dx` of its width and `dy` of its height."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    return (x1 + dx * w, y1 + dy * h, x2 + dx * w, y2 + dy * h)


def _as_ranked(read: PlateRead) -> PlateRead:
    """`read` as sure as the reader's top candidate: a format hint may have chosen a
    less likely one, whose moved boxes often read it surer."""
    top = read.candidates[0][1] if read.candidates else 0.0
    return replace(read, confidence=max(read.confidence, top))


def _is_unsure(read: PlateRead) -> bool:
    return bool(read.char_confidences) and min(read.char_confidences) < UNSURE_BELOW
