"""European plates: 520 x 110 mm, EU band on the left, condensed black characters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import ImageDraw

from training.synth.fonts import pick_font
from training.synth.plates.common import (
    EU_BLUE,
    Box,
    Canvas,
    Colour,
    FormatSpec,
    Item,
    Slot,
    StrokeShare,
    border,
    choice,
    eu_band,
    jitter,
    letters,
    plain,
    plate_font,
    screw,
)

DIGITS = "0123456789"
AZ = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FR_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"  # SIV drops I, O, U
CONSONANTS = "BCDFGHJKLMNPRSTVWXYZ"
NL_LETTERS = "BDFGHJKLNPRSTVXZ"
WHITE: Colour = (248, 248, 246)
BLACK: Colour = (18, 18, 20)
YELLOW: Colour = (250, 204, 20)

SK_DISTRICTS = "BA BB BL BR BS BY CA DK DS DT GA GL HC HE IL KA KE KK KM KN KS LC LE LM LV MA MI ML MT MY NM NO NR NZ PB PD PE PK PN PO PP PT PU RA RK RS RV SA SB SC SE SI SK SL SN SO SP SV TN TO TR TS TT TV VK VT ZA ZC ZH ZM ZV".split()  # noqa: E501
DE_DISTRICTS = "B M K F S D E H L N DD DO HH HB BN KA MA WI HD AC BI GE MS OS OL KI LU HN UL ER RO WOB ROW HSK WAF MYK EMS NWM SLF VEC".split()  # noqa: E501
CZ_REGIONS = "ABCEHJKLMPSTUZ"

# Stroke-font shares: SK/CZ letter in DIN 1451-style faces (CZ narrow), DE in FE-Schrift since
# 2000 (DIN 1451 Mittelschrift on older plates), France in a narrow DIN-like face.
SHARES: dict[str, StrokeShare] = {
    "sk": StrokeShare(0.5, fe_p=0.15, cond=(0.78, 1.02)),
    "cz": StrokeShare(0.5, fe_p=0.1, cond=(0.7, 0.95)),
    "de": StrokeShare(0.5, fe_p=0.7, cond=(0.8, 1.08)),
    "fr_siv": StrokeShare(0.5, fe_p=0.3, cond=(0.72, 0.95)),
    "eu_generic": StrokeShare(0.3, fe_p=0.6, cond=(0.75, 1.05)),
}


def _digits(rng: np.random.Generator, n: int, lead_zero: bool = True) -> str:
    out = letters(rng, DIGITS, n)
    return out if lead_zero or out[0] != "0" else str(int(rng.integers(1, 10))) + out[1:]


def _new(rng: np.random.Generator, bg: Colour) -> tuple[Canvas, float]:
    h = int(rng.integers(100, 125))
    u = h / 110  # pixels per millimetre
    return Canvas(plain(round(520 * u), h, jitter(rng, bg, 6))), u


def compose(
    rng: np.random.Generator,
    items: list[Item],
    *,
    code: str | None,
    bg: Colour = WHITE,
    fg: Colour = BLACK,
    right_band: Callable[[Canvas, int, int], None] | None = None,
    share: StrokeShare | None = None,
) -> Canvas:
    """Shared EU layout: optional left band, characters centred in the rest, border, screws."""
    cv, u = _new(rng, bg)
    x0 = round(rng.uniform(6, 10) * u)
    if code is not None:
        band = round(rng.uniform(38, 45) * u)
        eu_band(cv, rng, 0, band, code)
        x0 = band + round(rng.uniform(3, 7) * u)
    x1 = cv.w - round(rng.uniform(5, 10) * u)
    if right_band is not None:
        rb = cv.w - round(rng.uniform(38, 45) * u)
        right_band(cv, rb, cv.w)
        x1 = rb - round(rng.uniform(3, 6) * u)
    cap = rng.uniform(68, 79) * u
    cap_top = (cv.h - cap) / 2 + rng.uniform(-2.5, 2.5) * u
    cv.text_line(
        items,
        plate_font(rng, share),
        x0,
        x1,
        cap_top,
        cap,
        jitter(rng, fg, 10),
        squeeze=rng.uniform(0.8, 1.05),
        spacing=rng.uniform(0.06, 0.16),
        space=rng.uniform(0.3, 0.55),
        stroke=int(rng.choice([0, 0, 1, 2])),
        mono=rng.random() < 0.3,
    )
    if rng.random() < 0.85:
        border(
            cv,
            max(1, round(rng.uniform(0.8, 2.2) * u)),
            BLACK,
            round(rng.uniform(2, 8) * u),
            inset=round(u),
        )
    if rng.random() < 0.3:
        # bolts sit in the top margin, above the characters
        for fx in (0.3, 0.7) if rng.random() < 0.6 else (0.22, 0.78):
            screw(cv, rng, cv.w * fx, rng.uniform(7, 9) * u, rng.uniform(2.5, 3.5) * u, bg)
    return cv


def _side_band(
    cv: Canvas, rng: np.random.Generator, x0: int, x1: int, bottom: str, logo: str
) -> None:
    """Blue right-hand band: a logo at the top (French region / Italian year circle) and a code."""
    d = cv.draw
    d.rectangle((x0, 0, x1, cv.h - 1), fill=jitter(rng, EU_BLUE, 10))
    cx, bw = (x0 + x1) / 2, x1 - x0
    r = min(bw * 0.32, cv.h * 0.17)
    cy = cv.h * 0.32
    if logo == "circle":
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=jitter(rng, (250, 200, 20), 10))
    else:
        d.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), radius=r * 0.3, fill=(250, 250, 250))
        colour = tuple(int(v) for v in rng.integers(0, 200, 3))
        if rng.random() < 0.5:
            d.ellipse((cx - r * 0.6, cy - r * 0.6, cx + r * 0.5, cy + r * 0.6), fill=colour)
        else:
            d.polygon(
                [(cx - r * 0.7, cy + r * 0.6), (cx, cy - r * 0.7), (cx + r * 0.7, cy + r * 0.6)],
                fill=colour,
            )
    cv.caption(
        bottom,
        (cx, cv.h * 0.86),
        cv.h * 0.24,
        pick_font(rng, "small"),
        (255, 255, 255),
        max_width=bw * 0.85,
    )


# ----------------------------------------------------------------------------- France


def fr_groups(rng: np.random.Generator) -> list[str]:
    first = letters(rng, FR_LETTERS, 2)
    while first in ("SS", "WW"):
        first = letters(rng, FR_LETTERS, 2)
    num = f"{int(rng.integers(1, 1000)):03d}"
    return [first, num, letters(rng, FR_LETTERS, 2)]


def fr_render(rng: np.random.Generator) -> Canvas:
    g = fr_groups(rng)
    dept = choice(rng, [f"{n:02d}" for n in range(1, 96)] + ["971", "972", "974"])
    logo = str(rng.choice(["square", "circle"], p=[0.85, 0.15]))
    return compose(
        rng,
        [*g[0], "-", *g[1], "-", *g[2]],
        code="F",
        right_band=lambda cv, a, b: _side_band(cv, rng, a, b, dept, logo),
        share=SHARES["fr_siv"],
    )


# ----------------------------------------------------------------------------- Slovakia


def _sk_arms(draw: ImageDraw.ImageDraw, rect: Box) -> None:
    """Slovak coat of arms: red shield, white double cross, blue hills."""
    x0, y0, x1, y1 = rect
    w = x1 - x0
    sw = w * 0.9
    sh = sw * 1.2
    cx, top = (x0 + x1) / 2, (y0 + y1) / 2 - sh / 2
    shield = [
        (cx - sw / 2, top),
        (cx + sw / 2, top),
        (cx + sw / 2, top + sh * 0.6),
        (cx, top + sh),
        (cx - sw / 2, top + sh * 0.6),
    ]
    draw.polygon(shield, fill=(238, 28, 37), outline=(255, 255, 255))
    lw = max(1, round(sw * 0.1))
    draw.line((cx, top + sh * 0.12, cx, top + sh * 0.72), fill=(255, 255, 255), width=lw)
    for fy, half in ((0.28, 0.22), (0.45, 0.3)):
        draw.line(
            (cx - sw * half, top + sh * fy, cx + sw * half, top + sh * fy),
            fill=(255, 255, 255),
            width=lw,
        )
    r = sw * 0.2
    for dx, dy in ((-0.24, 0.78), (0.24, 0.78), (0.0, 0.72)):
        hx, hy = cx + sw * dx, top + sh * dy
        draw.ellipse((hx - r, hy - r * 0.8, hx + r, hy + r * 0.8), fill=(11, 78, 162))


def sk_groups(rng: np.random.Generator) -> list[str]:
    return [
        choice(rng, SK_DISTRICTS),
        _digits(rng, 3),
        letters(rng, AZ.replace("Q", "").replace("W", ""), 2),
    ]


def sk_render(rng: np.random.Generator) -> Canvas:
    g = sk_groups(rng)
    items: list[Item] = [*g[0], Slot(rng.uniform(0.42, 0.55), _sk_arms), *g[1], *g[2]]
    return compose(rng, items, code="SK", share=SHARES["sk"])


# ----------------------------------------------------------------------------- Germany

_HU_COLOURS: list[Colour] = [
    (240, 130, 40),
    (60, 120, 210),
    (250, 220, 40),
    (150, 100, 60),
    (240, 140, 180),
    (90, 180, 80),
]


def _de_stickers(
    rng: np.random.Generator, both: bool
) -> Callable[[ImageDraw.ImageDraw, Box], None]:
    hu = _HU_COLOURS[int(rng.integers(len(_HU_COLOURS)))]
    emblem = tuple(int(v) for v in rng.integers(0, 220, 3))
    start = float(rng.uniform(0, 360))

    def draw(d: ImageDraw.ImageDraw, rect: Box) -> None:
        x0, y0, x1, y1 = rect
        cx = (x0 + x1) / 2
        r = min((x1 - x0) * 0.46, (y1 - y0) / 4.4)
        cy_hu, cy_seal = y0 + (y1 - y0) * 0.27, y0 + (y1 - y0) * 0.73
        if both:
            d.ellipse((cx - r, cy_hu - r, cx + r, cy_hu + r), fill=hu, outline=(40, 40, 40))
            d.pieslice((cx - r, cy_hu - r, cx + r, cy_hu + r), start, start + 30, fill=(20, 20, 20))
            d.ellipse(
                (cx - r * 0.35, cy_hu - r * 0.35, cx + r * 0.35, cy_hu + r * 0.35),
                fill=(250, 250, 250),
            )
        d.ellipse(
            (cx - r, cy_seal - r, cx + r, cy_seal + r),
            fill=(235, 235, 230),
            outline=(120, 120, 120),
        )
        d.ellipse(
            (cx - r * 0.75, cy_seal - r * 0.75, cx + r * 0.75, cy_seal + r * 0.75),
            outline=(110, 110, 110),
        )
        d.rectangle(
            (cx - r * 0.3, cy_seal - r * 0.38, cx + r * 0.3, cy_seal + r * 0.3), fill=emblem
        )

    return draw


def de_groups(rng: np.random.Generator) -> list[str]:
    district = (
        choice(rng, DE_DISTRICTS)
        if rng.random() < 0.7
        else letters(rng, AZ, int(rng.integers(1, 4)))
    )
    suffix = str(rng.choice(["", "E", "H"], p=[0.9, 0.05, 0.05]))
    room = 8 - len(district) - len(suffix)
    n_letters = int(rng.integers(1, 3))
    n_digits = int(rng.integers(1, min(4, room - n_letters) + 1))
    return [district, letters(rng, AZ, n_letters), _digits(rng, n_digits, lead_zero=False), suffix]


def de_render(rng: np.random.Generator) -> Canvas:
    g = de_groups(rng)
    stickers = Slot(rng.uniform(0.48, 0.58), _de_stickers(rng, rng.random() < 0.6))
    return compose(rng, [*g[0], stickers, *g[1], " ", *g[2], *g[3]], code="D", share=SHARES["de"])


# ----------------------------------------------------------------------------- Czechia


def cz_groups(rng: np.random.Generator) -> list[str]:
    third = (
        choice(rng, list(DIGITS))
        if rng.random() < 0.6
        else choice(rng, list(AZ.replace("O", "").replace("Q", "")))
    )
    first = str(int(rng.integers(1, 10))) + choice(rng, list(CZ_REGIONS)) + third
    return [first, _digits(rng, 4)]


def cz_render(rng: np.random.Generator) -> Canvas:
    g = cz_groups(rng)
    return compose(rng, [*g[0], " ", *g[1]], code="CZ", share=SHARES["cz"])


# ----------------------------------------------------------------------------- other European looks


def _uk(rng: np.random.Generator) -> list[str]:
    uk = AZ.replace("I", "").replace("Q", "")
    return [
        letters(rng, uk, 2) + f"{int(rng.integers(2, 75)):02d}",
        " ",
        letters(rng, uk.replace("Z", ""), 3),
    ]


def _nl(rng: np.random.Generator) -> list[str]:
    pattern = choice(
        rng, ["LL-DDD-L", "L-DDD-LL", "LL-LL-DD", "DD-LLL-D", "D-LLL-DD", "LLL-DD-L", "DD-LL-LL"]
    )
    return [
        "".join(
            choice(rng, list(NL_LETTERS))
            if c == "L"
            else choice(rng, list(DIGITS))
            if c == "D"
            else c
            for c in pattern
        )
    ]


def _it(rng: np.random.Generator) -> list[str]:
    it = AZ.replace("I", "").replace("O", "").replace("Q", "").replace("U", "")
    return [letters(rng, it, 2), " ", _digits(rng, 3), letters(rng, it, 2)]


def _es(rng: np.random.Generator) -> list[str]:
    return [_digits(rng, 4), " ", letters(rng, CONSONANTS.replace("Q", ""), 3)]


def _pl(rng: np.random.Generator) -> list[str]:
    head = letters(rng, AZ, int(rng.integers(2, 4)))
    tail = (
        _digits(rng, 7 - len(head))
        if rng.random() < 0.5
        else _digits(rng, 6 - len(head)) + letters(rng, AZ, 1)
    )
    return [head, " ", tail]


def _be(rng: np.random.Generator) -> list[str]:
    return [str(int(rng.integers(1, 3))), "-", letters(rng, AZ, 3), "-", _digits(rng, 3)]


def _vanity(rng: np.random.Generator) -> list[str]:
    n = int(rng.integers(3, 9))
    return [letters(rng, AZ + DIGITS if rng.random() < 0.5 else AZ, n)]


# look name -> (groups, background, foreground, band codes)
_LOOKS: dict[
    str, tuple[Callable[[np.random.Generator], list[str]], list[Colour], Colour, list[str | None]]
] = {
    "uk": (_uk, [YELLOW, WHITE], BLACK, [None, None, "GB", "UK"]),
    "nl": (_nl, [YELLOW], BLACK, ["NL"]),
    "it": (_it, [WHITE], BLACK, ["I"]),
    "es": (_es, [WHITE], BLACK, ["E"]),
    "pl": (_pl, [WHITE], BLACK, ["PL"]),
    "be": (_be, [WHITE], (150, 20, 40), ["B"]),
    "vanity": (_vanity, [WHITE, YELLOW], BLACK, ["A", "L", "P", "H", "DK", "S", "FIN", None]),
}


def _generic_items(rng: np.random.Generator) -> tuple[str, list[str]]:
    look = choice(rng, list(_LOOKS))
    return look, _LOOKS[look][0](rng)


def generic_render(rng: np.random.Generator) -> Canvas:
    look, groups = _generic_items(rng)
    _, bgs, fg, codes = _LOOKS[look]
    items: list[Item] = [c for g in groups for c in g]
    right = None
    if look == "it":
        prov = letters(rng, AZ, 2)
        right = lambda cv, a, b: _side_band(cv, rng, a, b, prov, "circle")  # noqa: E731
    return compose(
        rng,
        items,
        code=choice(rng, codes),
        bg=choice(rng, bgs),
        fg=fg,
        right_band=right,
        share=SHARES["eu_generic"],
    )


def _generic_text(rng: np.random.Generator) -> str:
    return _text(_generic_items(rng)[1])


def _text(groups: list[str]) -> str:
    return "".join(c for g in groups for c in g if c.isalnum())


FORMATS: dict[str, FormatSpec] = {
    "fr_siv": FormatSpec("eu", 1.0, lambda r: _text(fr_groups(r)), fr_render),
    "sk": FormatSpec("eu", 1.0, lambda r: _text(sk_groups(r)), sk_render),
    "de": FormatSpec("eu", 1.0, lambda r: _text(de_groups(r)), de_render),
    "cz": FormatSpec("eu", 1.0, lambda r: _text(cz_groups(r)), cz_render),
    "eu_generic": FormatSpec("eu", 1.5, _generic_text, generic_render),
}
