"""A vector stroke font in the style of DIN 1451 (and a few FE-Schrift forms).

Real plates are lettered in constructed "road sign" faces: DIN 1451
Mittelschrift/Engschrift, FE-Schrift, US Highway/Penitentiary Gothic. None of
them ships in a Debian or PyPI font package, so this module builds them the
way the standard draws them: a centre line made of straight strokes and
circular arcs, inked with a pen of constant width.

Construction (DIN 1451 / Normschrift): the cap height is the unit; stroke
width is about 1/7 of it (`weight`); bowls are stadiums (semicircles joined
by straight sides) so condensing a letter lengthens its straight parts and
keeps its arcs circular; diagonals that meet the cap line or the baseline
are cut flat there; outer corners are mitred (sharp); free terminals are
cut square to the stroke or, optionally, round. The shapes keep the
distinctions a reader needs: 0 is a narrow stadium and O a wide, almost
round one, D has a straight left side, B a flat stem where 8 is round, 1 has
a flag (and optionally a foot) where I is a plain bar, 4 has a vertical stem
and crossbar where A has an apex, M's middle V stops well above the baseline,
G has a bar where C has none, 5 has a flat top and a vertical, 2 a round top.

A third variant, "br", takes the two forms of Brazil's grey-plate face
(Mandatory) that fool a DIN-trained reader: its 1 is a bare bar, like I (the
plate's layout, three letters then four digits, tells them apart), and its
0 and O are rounded rectangles, whose straight left side looks like a D's.

`render_glyph(ch, cap_px, font)` draws one character (cached, bounded).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

Pt = tuple[float, float]

GLYPHS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
VARIANTS = ("din", "fe", "br")
SUPERSAMPLE = 4
ARC_STEP = 7.5  # degrees per chord of an arc (chord error < 0.1 px at plate sizes)
INK_THRESHOLD = 24  # same fringe cut as the TTF glyph cache uses for exact ink boxes

WEIGHT_RANGE = (0.09, 0.17)
COND_RANGE = (0.6, 1.3)


@dataclass(frozen=True)
class StrokeFont:
    """One face of the stroke font; hashable, so it can stand where a font path does.

    weight: stroke width / cap height (DIN: 1/7 ~ 0.143).
    cond: horizontal condensation of the centre lines (0.72 ~ Engschrift,
        1.0 ~ Mittelschrift, 1.1 ~ wide FE-like); the stroke width is unchanged.
    variant: "din" (DIN 1451 forms), "fe" (FE-Schrift-like 1, 3, 4, 6, 9, M, O) or
        "br" (Brazilian Mandatory-like bare-bar 1, boxy 0 and O).
    round_ends: round instead of square-cut free terminals (stencil/pen lettering).
    foot_one: DIN "1" with a foot.
    serif_i: "I" with a bar at the top and the bottom, as most US plate faces draw it
        (their 1 is a bar with a flag): a reader that only saw bare I reads it as T.
    narrow_w: "W" hardly wider than "N" with upright sides, as California's and Texas's
        faces draw it; a reader that only saw DIN's wide W reads those as H or N.
    open_four: "4" whose diagonal stops short of the stem (California's face, as
        FE-Schrift's): a reader that only saw closed 4s reads it as L.
    flag: size of the DIN 1's flag, from 0 (a stub: 0.06 of the height down, 0.12 left
        of the stem, as Maryland's, Massachusetts's and Alabama's faces draw it) to 1
        (DIN's: 0.26 down, 0.22 left). A reader that saw only DIN's read the stubs as I.
    serif_w: width of the serifed I's bars, in cap heights (Carolina's and Arizona's are
        wider than the 0.34 of most faces).
    w_inner: stroke width of the narrow W's inner V, as a fraction of the face's: Texas's
        face draws it as hairlines between heavy stems, which read as H or N from afar.
    four_top: height the open 4's stem reaches, as a fraction of the cap height: Illinois's
        and California's stop about half way up, an L with a short bar through its foot.
    q_tail: length of the Q's tail, from 0 (a stub across the bowl's lower right corner,
        as Maine's, Oregon's and Tennessee's faces draw it) to 1 (DIN's, from inside the
        bowl to well past it). A reader that saw only DIN's read the stubs as O or 0.
    """

    weight: float = 1 / 7
    cond: float = 1.0
    variant: str = "din"
    round_ends: bool = False
    foot_one: bool = False
    serif_i: bool = False
    narrow_w: bool = False
    open_four: bool = False
    flag: float = 1.0
    serif_w: float = 0.34
    w_inner: float = 1.0
    four_top: float = 1.0
    q_tail: float = 1.0

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        if not WEIGHT_RANGE[0] <= self.weight <= WEIGHT_RANGE[1]:
            raise ValueError(f"weight {self.weight} outside {WEIGHT_RANGE}")
        if not COND_RANGE[0] <= self.cond <= COND_RANGE[1]:
            raise ValueError(f"cond {self.cond} outside {COND_RANGE}")
        if not 0.0 <= self.flag <= 1.0:
            raise ValueError(f"flag {self.flag} outside 0..1")
        if not 1 / 7 < self.serif_w <= 0.6:
            raise ValueError(f"serif_w {self.serif_w} outside (1/7, 0.6]")
        if not 0.3 <= self.w_inner <= 1.0:
            raise ValueError(f"w_inner {self.w_inner} outside 0.3..1")
        if not 0.4 <= self.four_top <= 1.0:
            raise ValueError(f"four_top {self.four_top} outside 0.4..1")
        if not 0.0 <= self.q_tail <= 1.0:
            raise ValueError(f"q_tail {self.q_tail} outside 0..1")


def sample_font(
    rng: np.random.Generator,
    *,
    fe_p: float = 0.0,
    cond: tuple[float, float] = (0.75, 1.05),
    weight: tuple[float, float] = (0.115, 0.155),
    round_p: float = 0.15,
    foot_p: float = 0.2,
    br_p: float = 0.0,
    serif_p: float = 0.0,
    narrow_w_p: float = 0.0,
    open_four_p: float = 0.0,
    flag: tuple[float, float] = (1.0, 1.0),
    serif_w: tuple[float, float] = (0.34, 0.34),
    w_inner: tuple[float, float] = (1.0, 1.0),
    four_top: tuple[float, float] = (1.0, 1.0),
    q_tail: tuple[float, float] = (1.0, 1.0),
) -> StrokeFont:
    """A random face, quantised (weight to 0.01, cond to 0.05) so the glyph cache stays small."""
    fe = bool(rng.random() < fe_p)
    # Drawn only when asked for, so faces sampled without br_p stay what they were.
    br = bool(br_p and not fe and rng.random() < br_p)
    c = round(float(rng.uniform(*cond)) * 20) / 20
    w = round(float(rng.uniform(*weight)) * 100) / 100
    round_ends = bool(rng.random() < round_p)  # drawn before the foot, as it always was
    foot = bool(rng.random() < foot_p) and not fe and not br
    return StrokeFont(
        weight=min(max(w, WEIGHT_RANGE[0]), WEIGHT_RANGE[1]),
        cond=min(max(c, COND_RANGE[0]), COND_RANGE[1]),
        variant="fe" if fe else "br" if br else "din",
        round_ends=round_ends,
        foot_one=foot,
        serif_i=bool(serif_p and rng.random() < serif_p),
        narrow_w=bool(narrow_w_p and rng.random() < narrow_w_p),
        open_four=bool(open_four_p and rng.random() < open_four_p),
        # Drawn only when a range is asked for, so other faces' draws stay what they were.
        # A 1 on a foot carries a full flag (Delaware, Rhode Island, Missouri): its stub
        # and foot would make a serifed I.
        flag=_quantised(rng, (max(flag[0], sum(flag) / 2), flag[1]) if foot else flag),
        serif_w=_quantised(rng, serif_w),
        w_inner=_quantised(rng, w_inner),
        four_top=_quantised(rng, four_top),
        q_tail=_quantised(rng, q_tail),
    )


def _quantised(rng: np.random.Generator, span: tuple[float, float]) -> float:
    """A draw from `span` to 0.02 (none when it is one value), so glyph caches stay small."""
    lo, hi = span
    return lo if lo == hi else round(float(rng.uniform(lo, hi)) * 50) / 50


# ----------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Stroke:
    """A centre line. caps: "b" butt, "s" square (+w/2), "t" free terminal (butt or round
    by the face), "x" runs through the cap/base line (cut flat there), "r" round."""

    pts: tuple[Pt, ...]
    closed: bool = False
    caps: tuple[str, str] = ("b", "b")
    scale: float = 1.0  # of the face's stroke width (a hairline in a face of heavy stems)


def S(pts: Sequence[Pt], c0: str = "b", c1: str = "b", closed: bool = False) -> Stroke:
    return Stroke(tuple((float(x), float(y)) for x, y in pts), closed, (c0, c1))


def stadium_arc(cx: float, cy: float, w: float, h: float, a0: float, a1: float) -> list[Pt]:
    """Points of the outline of a w x h stadium (a rectangle with semicircular short ends,
    i.e. DIN's bowl) from polar angle a0 to a1 (degrees, counter-clockwise positive; a1 < a0
    goes clockwise). Arcs stay circular whatever the aspect; the straight parts take the rest."""
    r = min(w, h) / 2
    lx, ly = w / 2 - r, h / 2 - r  # half lengths of the straight parts
    vertical = h >= w
    breaks = (0.0, 180.0) if vertical else (90.0, 270.0)
    step = 1.0 if a1 > a0 else -1.0
    n = max(1, math.ceil(abs(a1 - a0) / ARC_STEP))
    angles = [a0 + (a1 - a0) * i / n for i in range(n + 1)]
    # insert straight-part breakpoints that lie strictly inside the sweep
    lo, hi = min(a0, a1), max(a0, a1)
    k0, k1 = math.floor(lo / 360) - 1, math.ceil(hi / 360) + 1
    extra = [b + 360 * k for k in range(k0, k1 + 1) for b in breaks if lo < b + 360 * k < hi]
    angles = sorted(set(angles) | set(extra), reverse=step < 0)

    def side(theta: float) -> Pt:
        rad = math.radians(theta)
        c, s_ = math.cos(rad), math.sin(rad)
        if vertical:
            return (cx + r * c, cy + (ly if s_ > 0 else -ly) + r * s_)
        return (cx + (lx if c > 0 else -lx) + r * c, cy + r * s_)

    out: list[Pt] = []
    eps = 1e-6 * (1 if step > 0 else -1)
    for a in angles:
        if a in extra or a in (a0, a1):
            before, after = side(a - eps), side(a + eps)
            if a != a0:
                out.append(before)
            if a != a1:
                out.append(after)
            if a == a0 and a == a1:
                out.append(before)
        else:
            out.append(side(a))
    # collapse exact duplicates
    dedup = [out[0]]
    for p in out[1:]:
        if abs(p[0] - dedup[-1][0]) > 1e-9 or abs(p[1] - dedup[-1][1]) > 1e-9:
            dedup.append(p)
    return dedup


def arc(cx: float, cy: float, r: float, a0: float, a1: float) -> list[Pt]:
    n = max(2, math.ceil(abs(a1 - a0) / ARC_STEP))
    return [
        (cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a)))
        for a in np.linspace(a0, a1, n + 1)
    ]


def bowl_right(x0: float, y0: float, x1: float, y1: float, r: float) -> list[Pt]:
    """From (x0, y1) along the top, round the right side with corner radius r, back to (x0, y0)."""
    r = min(r, (y1 - y0) / 2, x1 - x0)
    return [
        (x0, y1),
        *arc(x1 - r, y1 - r, r, 90, 0),
        *arc(x1 - r, y0 + r, r, 0, -90),
        (x0, y0),
    ]


def _tangent(px: float, py: float, cx: float, cy: float, r: float, pick: Callable) -> float:
    """Angle (deg) on circle (cx, cy, r) of a tangent from (px, py); `pick` chooses of the two."""
    dx, dy = px - cx, py - cy
    d = math.hypot(dx, dy)
    phi = math.atan2(dy, dx)
    off = math.acos(min(1.0, r / d))
    cands = [math.degrees(phi + off), math.degrees(phi - off)]
    return pick(cands)


# ----------------------------------------------------------------------------- glyphs

# Ink width at cond = 1 (Mittelschrift), in cap heights. Normschrift/DIN grid: stroke 1/7,
# digits 4/7 wide, most capitals 5/7, M 6/7, W 8/7; Mittelschrift as set on signs and plates
# runs a little narrower, so these are about 0.92 of the grid values.
INK_WIDTH: dict[str, float] = {
    **dict.fromkeys("023456789", 0.53),
    "1": 0.36, "4": 0.56,
    "A": 0.64, "B": 0.57, "C": 0.58, "D": 0.60, "E": 0.49, "F": 0.48, "G": 0.60, "H": 0.60,
    "I": 1 / 7, "J": 0.50, "K": 0.60, "L": 0.47, "M": 0.74, "N": 0.62, "O": 0.70, "P": 0.56,
    "Q": 0.70, "R": 0.58, "S": 0.55, "T": 0.56, "U": 0.60, "V": 0.64, "W": 0.92, "X": 0.62,
    "Y": 0.64, "Z": 0.54, "-": 0.34,
}  # fmt: skip
FE_WIDTH = {"0": 0.50, "O": 0.68, "4": 0.58, "1": 0.38}
# California/Texas W: about N's width, its sides upright and its middle apex two thirds up
# (an M upside down). Real-dev's misread W all look so; a narrow W with slanted sides and
# its apex at the cap line (session 6) did not teach the reader them.
NARROW_W = 0.68
BR_WIDTH = {"0": 0.53, "O": 0.60, "1": 1 / 7}  # Mandatory's O is hardly wider than its 0

E = 0.5  # how far band-crossing strokes run past the cap/base line (cut off there)
# glyphs whose diagonals end in a stem: ink is also cut at the stems' outer sides
CLIP_SIDES = frozenset("MN")


@dataclass(frozen=True)
class Frame:
    w: float  # centre-line width
    s: float  # stroke width
    fe: bool
    foot: bool
    br: bool = False
    serif: bool = False
    open_four: bool = False
    narrow_w: bool = False
    flag: float = 1.0
    w_inner: float = 1.0
    four_top: float = 1.0
    q_tail: float = 1.0

    @property
    def b(self) -> float:  # bottom centre line
        return self.s / 2

    @property
    def t(self) -> float:  # top centre line
        return 1 - self.s / 2

    @property
    def h(self) -> float:
        return 1 - self.s

    def y(self, f: float) -> float:
        """Centre-line height at fraction f between the bottom and top centre lines."""
        return self.b + f * self.h


def _through(p: Pt, q: Pt) -> list[Pt]:
    """The segment p->q, extended past q far enough to leave the cap band."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    if abs(dy) < 1e-9:
        return [p, q]
    k = E / abs(dy)
    return [p, (q[0] + dx * k, q[1] + dy * k)]


def _stem(x: float) -> Stroke:
    return S([(x, -E), (x, 1 + E)])


def g_zero(f: Frame) -> list[Stroke]:
    if f.br:
        return [_boxy_bowl(f)]
    return [S(stadium_arc(f.w / 2, 0.5, f.w, f.h, 90, 450), closed=True)]


def _boxy_bowl(f: Frame) -> Stroke:
    """Mandatory's 0 and O: a rectangle with corners rounded to a third of its width."""
    w, b, t = f.w, f.b, f.t
    r = min(w, t - b) * 0.34
    return S(
        [
            *arc(w - r, t - r, r, 90, 0),
            *arc(w - r, b + r, r, 0, -90),
            *arc(r, b + r, r, -90, -180),
            *arc(r, t - r, r, 180, 90),
        ],
        closed=True,
    )


def g_O(f: Frame) -> list[Stroke]:
    if f.br:
        return [_boxy_bowl(f)]
    if f.fe:  # FE-Schrift O: a true oval, rounder than the straight-sided 0
        pts = [
            (f.w / 2 + f.w / 2 * math.cos(a), 0.5 + f.h / 2 * math.sin(a))
            for a in np.linspace(0, 2 * math.pi, 73)[:-1]
        ]
        return [S(pts, closed=True)]
    return g_zero(f)


def _to_cap(p: Pt, x_edge: float, hw: float) -> list[Pt]:
    """A stroke from p up to the cap line whose right edge ends at x_edge there (a flag or
    diagonal merging flush into the top of a stem), run on past the cap line."""
    x = x_edge - hw
    for _ in range(3):
        sin = (1 - p[1]) / math.hypot(x - p[0], 1 - p[1])
        x = x_edge - hw / sin
    return _through(p, (x, 1.0))


def g_one(f: Frame) -> list[Stroke]:
    w, t, hw = f.w, f.t, f.s / 2
    if f.br:
        return [_stem(w)]
    drop = 0.40 if f.fe else 0.06 + 0.24 * f.flag
    out = [_stem(w), S(list(reversed(_to_cap((0, t - drop * f.h), w + hw, hw))), "x", "t")]
    if f.foot and not f.fe:
        out.append(S([(w - 0.62 * w - f.s / 2, f.b), (w + 0.62 * w + f.s / 2, f.b)], "b", "b"))
    return out


def g_two(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    r = w / 2
    cx, cy = w / 2, t - r
    a_t = _tangent(0, b, cx, cy, r, lambda c: min(c, key=lambda a: abs(((a + 180) % 360) - 150)))
    a_t = a_t % 360 - 360  # clockwise from the left terminal over the top
    top = arc(cx, cy, r, 160, a_t)
    return [S([*top, (0, b), (w, b)], "t", "s")]


def g_three(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    if f.fe:  # flat top, diagonal into a big lower bowl
        yw = f.y(0.58)
        lower = stadium_arc(w / 2, (b + yw) / 2, w, yw - b, 90, -145)
        return [S([(0.02 * w, t), (w, t), (0.38 * w, yw), *lower], "s", "t")]
    yw = f.y(0.54)
    wu = 0.9 * w
    upper = stadium_arc(w - wu / 2, (yw + t) / 2, wu, t - yw, 150, -90)
    lower = stadium_arc(w / 2, (b + yw) / 2, w, yw - b, 90, -150)
    return [S([*upper, (0.3 * w, yw)], "t", "b"), S([(0.3 * w, yw), *lower], "b", "t")]


def g_four(f: Frame) -> list[Stroke]:
    w = f.w
    yc = f.y(0.30)
    if f.fe or f.open_four:  # open top: the left stroke does not reach the stem
        xs = 0.76 * w
        if f.four_top < 1:  # Illinois's and California's stem stops part way up
            stem = S([(xs, -E), (xs, f.y(f.four_top))], "b", "t")
        else:
            stem = S([(xs, -E), (xs, 1 + E)])
        return [
            stem,
            S([*reversed(_through((0, yc), (0.2 * w, f.t))), (0, yc), (w, yc)], "x", "s"),
        ]
    xs = 0.72 * w
    diag = _to_cap((0, yc), xs + f.s / 2, f.s / 2)
    return [_stem(xs), S([*reversed(diag), (0, yc), (w, yc)], "x", "s")]


def g_five(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yb = f.y(0.60)  # top of the bowl
    bowl = stadium_arc(w / 2, (b + yb) / 2, w, yb - b, 140, -145)
    x5 = bowl[0][0]
    return [S([(w, t), (x5, t), *bowl], "s", "t")]


def g_six(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yb = f.y(0.60)
    cyb = (b + yb) / 2
    bowl = S(stadium_arc(w / 2, cyb, w, yb - b, 90, 450), closed=True)
    hb = yb - b
    if f.fe:  # straight spine from the cap line, tangent into the bowl's upper-left arc
        if hb >= w:
            cx, cy, r = w / 2, yb - w / 2, w / 2
        else:
            cx, cy, r = hb / 2, cyb, hb / 2
        p = (0.85 * w, t)
        a = _tangent(*p, cx, cy, r, lambda c: min(c, key=lambda d: math.cos(math.radians(d))))
        a %= 360
        q = (cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a)))
        spine = [_through(q, p)[1], *stadium_arc(w / 2, cyb, w, hb, a, a + 60)]
        return [bowl, S(spine, "x", "b")]
    r = w / 2
    up = [(0, cyb), (0, t - r), *arc(w / 2, t - r, r, 180, 35)]
    return [bowl, S(up, "b", "t")]


def g_seven(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    return [S([(0, t), (w, t), *_through((w, t), (0.28 * w, f.b))[1:]], "s", "b")]


def g_eight(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yw = f.y(0.54)
    wu = 0.88 * w
    return [
        S(stadium_arc(w / 2, (yw + t) / 2, wu, t - yw, 90, 450), closed=True),
        S(stadium_arc(w / 2, (b + yw) / 2, w, yw - b, 90, 450), closed=True),
    ]


def g_nine(f: Frame) -> list[Stroke]:
    return _rotate(g_six(f), f.w)


def _leg(p: Pt, q: Pt) -> Stroke:
    """A straight stroke through p and q, both run on past the band (cut flat at the cap
    line and baseline): two such legs crossing at the cap line give DIN's flat apex."""
    return S([_through(q, p)[1], _through(p, q)[1]])


def g_A(f: Frame) -> list[Stroke]:
    w, b = f.w, f.b
    apex = (w / 2, 1.0)
    yb = f.y(0.28)
    k = (1.0 - yb) / (1.0 - b)
    xl, xr = w / 2 - k * w / 2, w / 2 + k * w / 2
    return [_leg((0, b), apex), _leg((w, b), apex), S([(xl, yb), (xr, yb)])]


def g_B(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yw = f.y(0.53)
    return [
        _stem(0),
        S(bowl_right(0, yw, 0.9 * w, t, (t - yw) / 2)),
        S(bowl_right(0, b, w, yw, (yw - b) / 2)),
    ]


def g_C(f: Frame) -> list[Stroke]:
    return [S(stadium_arc(f.w / 2, 0.5, f.w, f.h, 40, 320), "t", "t")]


def g_D(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    return [_stem(0), S(bowl_right(0, b, w, t, min(0.66 * w, f.h / 2)))]


def g_E(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    ym = f.y(0.5)
    return [_stem(0), S([(0, t), (w, t)], "b", "s"), S([(0, ym), (0.88 * w, ym)], "b", "s"),
            S([(0, b), (w, b)], "b", "s")]  # fmt: skip


def g_F(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    ym = f.y(0.47)
    return [_stem(0), S([(0, t), (w, t)], "b", "s"), S([(0, ym), (0.86 * w, ym)], "b", "s")]


def g_G(f: Frame) -> list[Stroke]:
    w, b = f.w, f.b
    r = w / 2
    yg = max(f.y(0.45), b + r + 0.02)
    pts = stadium_arc(w / 2, 0.5, w, f.h, 40, 360)
    return [S([*pts, (w, yg), (0.5 * w, yg)], "t", "b")]


def g_H(f: Frame) -> list[Stroke]:
    ym = f.y(0.5)
    return [_stem(0), _stem(f.w), S([(0, ym), (f.w, ym)])]


def g_I(f: Frame) -> list[Stroke]:
    if f.serif:
        return [S([(f.w / 2, f.b), (f.w / 2, f.t)]), S([(0, f.t), (f.w, f.t)], "s", "s"),
                S([(0, f.b), (f.w, f.b)], "s", "s")]  # fmt: skip
    return [_stem(0)]


def g_J(f: Frame) -> list[Stroke]:
    w, b = f.w, f.b
    r = w / 2
    return [S([(w, 1 + E), (w, b + r), *arc(w / 2, b + r, r, 0, -160)[1:]], "b", "t")]


def g_K(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yk = f.y(0.32)
    arm = _through((0, yk), (w, t))
    p = (0.32 * w, yk + 0.32 * (t - yk))
    return [_stem(0), S([(0, yk), arm[1]]), S(_through(p, (w, b)))]


def g_L(f: Frame) -> list[Stroke]:
    return [_stem(0), S([(0, f.b), (f.w, f.b)], "b", "s")]


def _flush_x(p: Pt, y: float, x_edge: float, hw: float) -> float:
    """x where a stroke from p crosses height y so that its right edge there is at x_edge:
    diagonals that run into a stem top merge flush, the stem's flat top a little widened."""
    x = x_edge - hw
    for _ in range(4):
        sin = abs(y - p[1]) / math.hypot(x - p[0], y - p[1])
        x = x_edge - hw / max(sin, 0.2)
    return x


def g_M(f: Frame) -> list[Stroke]:
    w, hw = f.w, f.s / 2
    # DIN/Normschrift: the diagonals run 5/7 of the height down from the cap line, so the V's
    # point stays ~2/7 above the baseline; FE: it stops about half way
    target = 0.42 if f.fe else 0.27
    yv, xc = target + hw, hw
    for _ in range(5):  # put the mitre's point, not the centre line, at the target height
        sin_a = (w / 2 - xc) / math.hypot(w / 2 - xc, 1 - yv)
        yv = target + hw / max(sin_a, 0.2)
        xc = _flush_x((w / 2, yv), 1.0, 2.5 * hw, hw)
    v = (w / 2, yv)
    lt = _through(v, (xc, 1.0))[1]
    rt = _through(v, (w - xc, 1.0))[1]
    return [_stem(0), _stem(w), S([lt, v, rt])]


def g_N(f: Frame) -> list[Stroke]:
    w, hw = f.w, f.s / 2
    xc = _flush_x((w, 0.0), 1.0, 2.5 * hw, hw)
    return [_stem(0), _stem(w), _leg((xc, 1.0), (w - xc, 0.0))]


def g_P(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    yp = f.y(0.44)
    return [_stem(0), S(bowl_right(0, yp, w, t, (t - yp) / 2))]


# The Q's tail at q_tail 1 (DIN's) and 0 (a stub across the bowl's lower right corner),
# as (x in widths, y in heights) of its two ends; q_tail draws between them.
Q_TAIL_LONG = ((0.56, 0.26), (1.1, 0.0))
Q_TAIL_STUB = ((0.72, 0.2), (0.95, -0.02))


def g_Q(f: Frame) -> list[Stroke]:
    q = f.q_tail  # weighted so that q = 1 gives DIN's ends exactly
    ends = [
        (q * lx + (1 - q) * sx, q * ly + (1 - q) * sy)
        for (lx, ly), (sx, sy) in zip(Q_TAIL_LONG, Q_TAIL_STUB, strict=True)
    ]
    tail = _through(*((x * f.w, f.y(y)) for x, y in ends))
    return [*g_O(f), S(tail, "b", "b")]


def g_R(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yp = f.y(0.47)
    return [_stem(0), S(bowl_right(0, yp, 0.96 * w, t, (t - yp) / 2)),
            S(_through((0.45 * w, yp), (w, b)))]  # fmt: skip


def g_S(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    yw = f.y(0.52)
    wu = 0.92 * w
    upper = stadium_arc(w / 2, (yw + t) / 2, wu, t - yw, 35, 270)
    lower = stadium_arc(w / 2, (b + yw) / 2, w, yw - b, 90, -145)
    return [S([*upper, *lower], "t", "t")]


def g_T(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    return [_stem(w / 2), S([(0, t), (w, t)], "s", "s")]


def g_U(f: Frame) -> list[Stroke]:
    w, b = f.w, f.b
    r = w / 2
    return [S([(0, 1 + E), (0, b + r), *arc(r, b + r, r, 180, 360)[1:], (w, 1 + E)])]


def g_V(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    return [_leg((0, t), (w / 2, 0.0)), _leg((w, t), (w / 2, 0.0))]


def g_W(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    if f.narrow_w:  # upright sides, the apex two thirds up: an M upside down
        *stems, v = _rotate(g_M(f), w)
        return [*stems, replace(v, scale=f.w_inner)]
    return [
        _leg((0, t), (w / 4, 0.0)),
        _leg((w / 2, 1.0), (w / 4, 0.0)),
        _leg((w / 2, 1.0), (3 * w / 4, 0.0)),
        _leg((w, t), (3 * w / 4, 0.0)),
    ]


def g_X(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    a = _through((0, t), (w, b))
    c = _through((w, t), (0, b))
    return [S([_through(a[1], a[0])[1], a[1]]), S([_through(c[1], c[0])[1], c[1]])]


def g_Y(f: Frame) -> list[Stroke]:
    w, t = f.w, f.t
    j = (w / 2, f.y(0.46))
    return [
        S([_through(j, (0, t))[1], j, _through(j, (w, t))[1]]),
        S([j, (w / 2, -E)]),
    ]


def g_Z(f: Frame) -> list[Stroke]:
    w, b, t = f.w, f.b, f.t
    return [S([(0, t), (w, t), (0, b), (w, b)], "s", "s")]


def g_dash(f: Frame) -> list[Stroke]:
    ym = f.y(0.45)
    return [S([(0, ym), (f.w, ym)], "s", "s")]


def _rotate(strokes: list[Stroke], w: float) -> list[Stroke]:
    """Turn a glyph by 180 degrees about the centre of its box (6 -> 9)."""
    return [replace(st, pts=tuple((w - x, 1 - y) for x, y in st.pts)) for st in strokes]


BUILDERS: dict[str, Callable[[Frame], list[Stroke]]] = {
    "0": g_zero, "1": g_one, "2": g_two, "3": g_three, "4": g_four, "5": g_five, "6": g_six,
    "7": g_seven, "8": g_eight, "9": g_nine, "A": g_A, "B": g_B, "C": g_C, "D": g_D, "E": g_E,
    "F": g_F, "G": g_G, "H": g_H, "I": g_I, "J": g_J, "K": g_K, "L": g_L, "M": g_M, "N": g_N,
    "O": g_O, "P": g_P, "Q": g_Q, "R": g_R, "S": g_S, "T": g_T, "U": g_U, "V": g_V, "W": g_W,
    "X": g_X, "Y": g_Y, "Z": g_Z, "-": g_dash,
}  # fmt: skip


def strokes(ch: str, font: StrokeFont) -> tuple[list[Stroke], Frame]:
    """Centre lines of `ch` in cap-height units (x right, y up, baseline 0, cap line 1)."""
    fe, br = font.variant == "fe", font.variant == "br"
    widths = FE_WIDTH if fe else BR_WIDTH if br else {}
    if ch == "I" and font.serif_i:
        iw = font.serif_w
    elif ch == "W" and font.narrow_w:
        iw = NARROW_W
    elif ch == "1" and font.variant == "din":
        iw = INK_WIDTH["1"] - 0.12 * (1 - font.flag)  # a smaller flag reaches less far
    else:
        iw = widths.get(ch, INK_WIDTH[ch])
    frame = Frame(
        max(0.0, iw - 1 / 7) * font.cond,
        font.weight,
        fe,
        font.foot_one,
        br,
        font.serif_i,
        font.open_four,
        font.narrow_w,
        font.flag,
        font.w_inner,
        font.four_top,
        font.q_tail,
    )
    return BUILDERS[ch](frame), frame


# ----------------------------------------------------------------------------- rasteriser


def _polys(st: Stroke, hw: float, round_ends: bool) -> tuple[np.ndarray, list[Pt]]:
    """Convex quads (segments, mitre/bevel wedges at joins), shape (k, 4, 2), and the
    centres of round caps, of one stroke."""
    pts = np.asarray(st.pts, dtype=np.float64)
    keep = np.ones(len(pts), bool)
    keep[1:] = np.hypot(*(pts[1:] - pts[:-1]).T) > 1e-9
    pts = pts[keep]
    if st.closed and np.hypot(*(pts[0] - pts[-1])) < 1e-9:
        pts = pts[:-1]
    circles: list[Pt] = []
    if not st.closed:
        for end, cap in ((0, st.caps[0]), (-1, st.caps[1])):
            cap = ("r" if round_ends else "b") if cap == "t" else cap
            d = pts[end] - (pts[1] if end == 0 else pts[-2])
            d /= np.linalg.norm(d)
            if cap == "s":
                pts[end] = pts[end] + d * hw
            elif cap == "x":
                pts[end] = pts[end] + d * 4 * hw
            elif cap == "r":
                circles.append((float(pts[end][0]), float(pts[end][1])))
    p, q = (pts, np.roll(pts, -1, axis=0)) if st.closed else (pts[:-1], pts[1:])
    d = q - p
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    nrm = np.stack([-d[:, 1], d[:, 0]], axis=1) * hw
    quads = np.stack([p + nrm, q + nrm, q - nrm, p - nrm], axis=1)
    if st.closed:
        d1, d2, v = np.roll(d, 1, axis=0), d, p
    else:
        d1, d2, v = d[:-1], d[1:], pts[1:-1]
    if len(v) == 0:
        return quads, circles
    cross = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0]
    sgn = np.where(cross > 0, -1.0, 1.0)[:, None]  # towards the outer side of the turn
    o1 = np.stack([-d1[:, 1], d1[:, 0]], axis=1) * sgn * hw
    o2 = np.stack([-d2[:, 1], d2[:, 0]], axis=1) * sgn * hw
    u = o1 + o2
    uu = (u * u).sum(axis=1, keepdims=True) / (hw * hw)
    # mitre up to 5 half-widths long, else bevel (the wedge's tip on the chord)
    tip = np.where(uu > 4 / 25, u * (2 / np.maximum(uu, 1e-12)), u / 2)
    wedges = np.stack([v, v + o1, v + tip, v + o2], axis=1)
    turn = (np.abs(cross) > 1e-9) | ((d1 * d2).sum(axis=1) < 0)
    return np.concatenate([quads, wedges[turn]]), circles


@dataclass(frozen=True)
class StrokeGlyph:
    image: Image.Image  # "L", cropped to ink
    top: int  # ink top below the cap line, in pixels
    width: int
    height: int


def rasterise(ch: str, cap_px: int, font: StrokeFont) -> np.ndarray:
    """Full-height (cap_px rows, baseline to cap line) uint8 mask of `ch`, not cropped
    horizontally beyond a small margin. Everything outside the cap band is cut off."""
    sts, frame = strokes(ch, font)
    hw = frame.s / 2
    ss = SUPERSAMPLE
    H = cap_px * ss
    polys, circles = [], []
    for st in sts:
        p, c = _polys(st, hw * st.scale, font.round_ends)
        polys.append(p)
        circles += c
    quads = np.concatenate(polys)
    x_lo = float(quads[..., 0].min()) - 0.02
    x_hi = float(quads[..., 0].max()) + 0.02
    for cx, _ in circles:
        x_lo, x_hi = min(x_lo, cx - hw - 0.02), max(x_hi, cx + hw + 0.02)
    wpx = math.ceil((x_hi - x_lo) * H / ss) * ss
    canvas = np.zeros((H, wpx), np.uint8)
    shift = 4
    one = 1 << shift
    px = np.empty(quads.shape, np.int32)
    px[..., 0] = np.round((quads[..., 0] - x_lo) * H * one)
    px[..., 1] = np.round((1 - quads[..., 1]) * H * one)
    for poly in px:
        cv2.fillConvexPoly(canvas, poly, 255, lineType=cv2.LINE_8, shift=shift)
    for cx, cy in circles:
        centre = (round((cx - x_lo) * H * one), round((1 - cy) * H * one))
        cv2.circle(canvas, centre, round(hw * H * one), 255, -1, lineType=cv2.LINE_8, shift=shift)
    if ch in CLIP_SIDES:
        canvas[:, : max(0, round((-hw - x_lo) * H))] = 0
        canvas[:, round((frame.w + hw - x_lo) * H) :] = 0
    return cv2.resize(canvas, (wpx // ss, cap_px), interpolation=cv2.INTER_AREA)


# The glyphs whose form in a variant differs from the "din" one.
VARIANT_CHARS = {"din": frozenset(), "fe": frozenset("013469MOQ"), "br": frozenset("10O")}


@functools.cache
def _has_terminals(ch: str, variant: str) -> bool:
    return ch in BUILDERS and any(
        "t" in st.caps for st in strokes(ch, StrokeFont(variant=variant))[0]
    )


def canonical(ch: str, font: StrokeFont) -> StrokeFont:
    """The face with the options that cannot change `ch` reset, so the cache shares them."""
    variant = font.variant if ch in VARIANT_CHARS[font.variant] else "din"
    round_ends = font.round_ends and _has_terminals(ch, variant)
    foot = font.foot_one and ch == "1" and variant == "din"
    serif = font.serif_i and ch == "I"
    narrow = font.narrow_w and ch == "W"
    open_four = font.open_four and ch == "4"
    flag = font.flag if ch == "1" and variant == "din" else StrokeFont.flag
    serif_w = font.serif_w if serif else StrokeFont.serif_w
    w_inner = font.w_inner if narrow else StrokeFont.w_inner
    four_top = font.four_top if open_four and variant == "din" else StrokeFont.four_top
    q_tail = font.q_tail if ch == "Q" else StrokeFont.q_tail
    return replace(
        font,
        variant=variant,
        round_ends=round_ends,
        foot_one=foot,
        serif_i=serif,
        narrow_w=narrow,
        open_four=open_four,
        flag=flag,
        serif_w=serif_w,
        w_inner=w_inner,
        four_top=four_top,
        q_tail=q_tail,
    )


def render_glyph(ch: str, cap_px: int, font: StrokeFont) -> StrokeGlyph:
    """`ch` at cap height `cap_px`, cropped to its ink (pixels > INK_THRESHOLD), cached."""
    return _render_glyph(ch, cap_px, canonical(ch, font))


@functools.lru_cache(maxsize=8192)
def _render_glyph(ch: str, cap_px: int, font: StrokeFont) -> StrokeGlyph:
    if ch not in BUILDERS:
        return StrokeGlyph(Image.new("L", (1, 1), 0), 0, 1, 1)
    arr = rasterise(ch, cap_px, font)
    ys, xs = np.nonzero(arr > INK_THRESHOLD)
    if len(xs) == 0:
        return StrokeGlyph(Image.new("L", (1, 1), 0), 0, 1, 1)
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    crop = np.ascontiguousarray(arr[y0:y1, x0:x1])
    return StrokeGlyph(Image.fromarray(crop, "L"), y0, x1 - x0, y1 - y0)


def glyph_mask(ch: str, cap_px: int, font: StrokeFont | None = None) -> np.ndarray:
    """Convenience: the cropped uint8 ink mask of `ch`."""
    return np.asarray(render_glyph(ch, cap_px, font or StrokeFont()).image)


__all__ = [
    "GLYPHS",
    "StrokeFont",
    "StrokeGlyph",
    "glyph_mask",
    "rasterise",
    "render_glyph",
    "sample_font",
    "strokes",
]
