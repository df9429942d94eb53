"""Brazilian plates, 400 x 130 mm: the old grey `ABC-1234` and Mercosur `ABC1D23`."""

from __future__ import annotations

import numpy as np

from training.synth.fonts import pick_font
from training.synth.plates.common import (
    EU_BLUE,
    Canvas,
    Colour,
    FormatSpec,
    StrokeShare,
    border,
    choice,
    jitter,
    letters,
    plain,
    plate_font,
    screw,
    star_points,
)

AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
CITIES = [
    ("SP", "SAO PAULO"),
    ("SP", "CAMPINAS"),
    ("SP", "SANTOS"),
    ("SP", "SOROCABA"),
    ("RJ", "RIO DE JANEIRO"),
    ("RJ", "NITEROI"),
    ("MG", "BELO HORIZONTE"),
    ("MG", "UBERLANDIA"),
    ("PR", "CURITIBA"),
    ("PR", "LONDRINA"),
    ("RS", "PORTO ALEGRE"),
    ("SC", "FLORIANOPOLIS"),
    ("SC", "JOINVILLE"),
    ("BA", "SALVADOR"),
    ("PE", "RECIFE"),
    ("CE", "FORTALEZA"),
    ("DF", "BRASILIA"),
    ("GO", "GOIANIA"),
    ("AM", "MANAUS"),
    ("PA", "BELEM"),
    ("ES", "VITORIA"),
    ("MT", "CUIABA"),
]
# Stroke-font shares: the grey plates' face is DIN 1451-like, Mercosur's is FE-Mercosur.
# Grey plates are lettered in Mandatory: its bare-bar 1 and boxy O are the "br" variant.
GREY_SHARE = StrokeShare(0.75, fe_p=0.05, cond=(0.8, 1.02), br_p=0.8)
MERC_SHARE = StrokeShare(0.5, fe_p=0.85, cond=(0.85, 1.08))


def _new(rng: np.random.Generator, bg: Colour) -> tuple[Canvas, float]:
    h = int(rng.integers(118, 142))
    u = h / 130
    return Canvas(plain(round(400 * u), h, jitter(rng, bg, 8))), u


def grey_groups(rng: np.random.Generator) -> list[str]:
    return [letters(rng, AZ, 3), letters(rng, DIGITS, 4)]


def grey_render(rng: np.random.Generator) -> Canvas:
    g = grey_groups(rng)
    v = int(rng.integers(178, 215))
    bg: Colour = (v, v, v + int(rng.integers(0, 6)))
    cv, u = _new(rng, bg)
    fg = jitter(rng, (38, 38, 40), 12)
    uf, city = choice(rng, CITIES)
    line = f"{uf} - {city}" if rng.random() < 0.7 else f"{city} - {uf}"
    cv.caption(
        line,
        (cv.w / 2, rng.uniform(22, 26) * u),
        rng.uniform(10, 13) * u,
        pick_font(rng, "condensed_bold"),
        fg,
        max_width=cv.w * 0.6,
    )
    if rng.random() < 0.7:
        for fx in (0.12, 0.88):
            screw(cv, rng, cv.w * fx, rng.uniform(15, 18) * u, rng.uniform(4, 5.5) * u, bg)
    cap = rng.uniform(62, 72) * u
    cap_top = rng.uniform(36, 42) * u
    # embossed characters: a highlight or shadow edge from the pressed relief
    shade = ((min(255, v + 35),) * 3, -1) if rng.random() < 0.5 else ((max(0, v - 70),) * 3, 1)
    cv.text_line(
        [*g[0], "-", *g[1]],
        plate_font(rng, GREY_SHARE),
        rng.uniform(14, 26) * u,
        cv.w - rng.uniform(14, 26) * u,
        cap_top,
        cap,
        fg,
        squeeze=rng.uniform(0.8, 1.0),
        spacing=rng.uniform(0.06, 0.14),
        stroke=int(rng.choice([0, 1, 2])),
        mono=rng.random() < 0.5,
        shade=shade if rng.random() < 0.6 else None,
    )
    border(
        cv,
        max(1, round(rng.uniform(1.5, 3.5) * u)),
        fg,
        round(rng.uniform(3, 9) * u),
        inset=round(u),
    )
    return cv


def merc_groups(rng: np.random.Generator) -> list[str]:
    return [
        letters(rng, AZ, 3),
        letters(rng, DIGITS, 1),
        letters(rng, AZ, 1),
        letters(rng, DIGITS, 2),
    ]


def _flag(cv: Canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    d = cv.draw
    d.rectangle((x0, y0, x1, y1), fill=(0, 151, 57))
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    d.polygon(
        [(x0 + w * 0.08, cy), (cx, y0 + h * 0.1), (x1 - w * 0.08, cy), (cx, y1 - h * 0.1)],
        fill=(254, 221, 0),
    )
    r = h * 0.26
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(1, 33, 105))


def _mercosur_logo(cv: Canvas, cx: float, cy: float, r: float) -> None:
    d = cv.draw
    d.arc(
        (cx - r, cy - r * 0.9, cx + r, cy + r * 1.3),
        200,
        340,
        fill=(255, 255, 255),
        width=max(1, round(r * 0.12)),
    )
    for dx, dy, k in ((-0.35, 0.2, 0.22), (0.0, -0.05, 0.26), (0.35, 0.25, 0.2), (0.05, 0.5, 0.16)):
        d.polygon(star_points(cx + dx * r, cy + dy * r, r * k), fill=(255, 255, 255))


def merc_render(rng: np.random.Generator) -> Canvas:
    g = merc_groups(rng)
    cv, u = _new(rng, (250, 250, 250))
    d = cv.draw
    band_h = rng.uniform(26, 32) * u
    blue = jitter(rng, EU_BLUE, 12)
    d.rectangle((0, 0, cv.w, band_h), fill=blue)
    cv.caption(
        "BRASIL", (cv.w / 2, band_h * 0.8), band_h * 0.55, pick_font(rng, "small"), (255, 255, 255)
    )
    fh = band_h * 0.6
    fx1 = cv.w - rng.uniform(10, 16) * u
    _flag(cv, fx1 - fh * 1.4, (band_h - fh) / 2, fx1, (band_h + fh) / 2)
    _mercosur_logo(cv, rng.uniform(22, 28) * u, band_h / 2, band_h * 0.38)
    fg = jitter(rng, (15, 15, 15), 8)
    small = pick_font(rng, "small")
    cv.caption(
        "BR",
        (rng.uniform(18, 24) * u, cv.h - rng.uniform(10, 16) * u),
        rng.uniform(10, 13) * u,
        small,
        fg,
    )
    if rng.random() < 0.8:
        # the small QR seal under the band, drawn as a random module grid
        q = rng.uniform(14, 18) * u
        qx, qy = rng.uniform(12, 16) * u, band_h + rng.uniform(6, 10) * u
        cells = rng.random((7, 7)) < 0.5
        step = q / 7
        for i, j in zip(*np.nonzero(cells), strict=True):
            d.rectangle(
                (qx + j * step, qy + i * step, qx + (j + 1) * step - 1, qy + (i + 1) * step - 1),
                fill=fg,
            )
    cap = rng.uniform(66, 76) * u
    cap_top = band_h + (cv.h - band_h - cap) / 2 + rng.uniform(-2, 2) * u
    cv.text_line(
        [c for grp in g for c in grp],
        plate_font(rng, MERC_SHARE),
        rng.uniform(42, 50) * u,
        cv.w - rng.uniform(10, 16) * u,
        cap_top,
        cap,
        fg,
        squeeze=rng.uniform(0.85, 1.05),
        spacing=rng.uniform(0.06, 0.14),
        stroke=int(rng.choice([0, 1, 2])),
        mono=rng.random() < 0.5,
    )
    border(cv, max(1, round(rng.uniform(1.2, 2.5) * u)), (30, 30, 30), round(rng.uniform(3, 9) * u))
    return cv


FORMATS: dict[str, FormatSpec] = {
    "br_grey": FormatSpec("br", 1.0, lambda r: "".join(grey_groups(r)), grey_render),
    "br_mercosur": FormatSpec("br", 1.5, lambda r: "".join(merc_groups(r)), merc_render),
}
