"""US plates, 12 x 6 in: state name on top, slogan below, printed artwork behind the number.

Only the big main line is the label; stacked letters, small upper lines and
emblems between groups are drawn but not labelled.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from training.synth.fonts import pick_font
from training.synth.plates import us_art as art
from training.synth.plates.common import (
    Canvas,
    Colour,
    FormatSpec,
    Item,
    StrokeShare,
    border,
    choice,
    gradient,
    jitter,
    letters,
    plain,
    plate_font,
)

AZ = "ABCDEFGHJKLMNPRSTUVWXYZ"  # most states skip I, O and Q ...
# ... but not all, nor vanity plates. O is left out even there: on US plates O and 0 share
# one glyph and are written 0 (real-dev's US labels: 0 170 times, O 6; "CUST0M"). I is
# rarer than 1 (23 against 160): a reader taught I on a third of plates read 1 as I. Now
# that the stubbed 1s below are drawn apart from I, 35 % of serials give US labels with an
# I 0.14 times as often as with a 1, as real-dev's (0.15: 0.065; session 29).
AZ_ALL = "ABCDEFGHIJKLMNPQRSTUVWXYZ"
ALL_LETTERS_P = 0.35
# Q is a third as common as an average letter on real-dev's US plates (10 of ~2,600
# characters) but rarer in the serials above: the reader took real Qs for O or 0 (HNQ196,
# QTA827, SQUAW, 999QLM; 6 of 10 plate crops with a Q misread). A further share of
# plates draws from AZ plus Q (session 20), so that half of all serials may hold a Q.
AZ_Q = AZ + "Q"
Q_P = 0.5 - ALL_LETTERS_P
DIGITS = "0123456789"
STACKED_LEFT_P = 0.7
WHITE: Colour = (246, 247, 249)
NAVY: Colour = (22, 36, 100)

STATES = "OHIO MICHIGAN GEORGIA VIRGINIA WASHINGTON OREGON COLORADO NEVADA IDAHO UTAH MONTANA KANSAS OKLAHOMA TENNESSEE KENTUCKY INDIANA MISSOURI IOWA MINNESOTA WISCONSIN LOUISIANA ALABAMA MARYLAND MAINE VERMONT DELAWARE NEBRASKA WYOMING".split()  # noqa: E501
STATES += [
    "NORTH CAROLINA",
    "SOUTH CAROLINA",
    "NEW HAMPSHIRE",
    "NEW MEXICO",
    "WEST VIRGINIA",
    "SOUTH DAKOTA",
]
SLOGANS = [
    "LIVE FREE OR DIE", "GREAT LAKES", "BIRTHPLACE OF AVIATION", "PEACH STATE", "FAMOUS POTATOES",
    "EVERGREEN STATE", "SILVER STATE", "COLORFUL", "PURE MICHIGAN", "VIRGINIA IS FOR LOVERS", "FIRST IN FLIGHT",
    "SPORTSMAN'S PARADISE", "THE NATURAL STATE", "BIG SKY COUNTRY", "CROSSROADS OF AMERICA", "SHOW ME STATE",
    "VOLUNTEER STATE", "10,000 LAKES", "AMERICA'S DAIRYLAND", "WILD WONDERFUL", "Life Elevated", "Vacationland",
    "COUNTY OF FRANKLIN", "JEFFERSON COUNTY", "MONTGOMERY CO.", "In God We Trust", "Greatest Snow on Earth", "",
]  # fmt: skip
# Penitentiary/Highway Gothic-like block faces: the DIN-style stroke font, mostly condensed.
# Their strokes run thinner than DIN's: a DIN-weight-only reader drops thin 1s and reads W as H.
# Most draw I with serifs, their 1 with a flag; the installed TTFs have a bare I, so the
# stroke font letters most US plates. Half their 1s stand on a foot (CT, ID, MD, IL): a reader
# that saw few read them as L or I. California and Texas draw W about as narrow as N, with
# upright sides: a reader that saw only wide Ws read those as H or N.
# California's 4 is open at the top; a reader that saw only closed 4s read it as L.
# Most US 1s carry only a stub of a flag (Maryland, Massachusetts, New York, Alabama), and
# some Is wide serifs (the Carolinas, Arizona): the reader read those stubbed 1s as I and
# wide-serifed Is as T, on real plates and on such synthetic ones alike (session 29).
# California's and Illinois's open 4s stop their stem about half way up (an L with a bar
# through its foot), and Texas's W has hairline inner strokes: real-dev's read as L and H.
# Maine's, Oregon's and Tennessee's Q has only a stub of a tail: the reader, which saw DIN's
# long tail, read real-dev's as O and such synthetic ones as O or 0 (session 32).
SHARE = StrokeShare(
    0.7,
    fe_p=0.1,
    cond=(0.6, 1.0),
    round_p=0.25,
    weight=(0.09, 0.14),
    serif_p=0.8,
    foot_p=0.5,
    narrow_w_p=0.4,
    open_four_p=0.3,
    flag=(0.1, 1.0),
    serif_w=(0.26, 0.50),
    w_inner=(0.5, 1.0),
    four_top=(0.45, 1.0),
    q_tail=(0.0, 1.0),
)
GENERIC_PATTERNS = [
    "LLL DDDD",
    "LLL-DDDD",
    "DLLL DDD",
    "DDD LLL",
    "LL DDDDD",
    "LLD DDDD",
    "DDD DDD",
    "LLLL DD",
    "LDD LLL",
    "DLL-DDD",
    # Inline county codes and all-digit serials (ID, MT, AL, IL, NH, DE, MD): a reader that
    # never saw a digit before a letter in front reads the 1 of "1A 2E468" as I, the 2 of
    # "2A3633A" as Z, and pads digit runs with letters.
    "DL DDDDD",
    "DL LDDDD",
    "DL LLDDD",
    "DLDDDDL",
    "DDD DDDD",
    "DDDDDD",
    "DDDDD",
    "DDDLDDD",
    # Serials that end in a letter after digits (New Jersey's and Maryland's older ABC 12D,
    # Kentucky, Wyoming's 1 345D) and short ones beside a county number or stacked letters
    # (Wyoming's 4 779 beside its horse, North Carolina's 2861 WC). A reader that never saw
    # a letter after digits read real-dev's RZJ80D, UAA47C, ADT80S and BBG50B with a digit
    # for the last letter, and dropped or added characters on four-digit serials; on its
    # own synthetic plates of these shapes it read 62 % (ABC 12D) and 71 % (1234, 1-2345,
    # 12-3456) exactly, against 88 % for ABC 1234 (session 31).
    "LLL DDL",
    "LLL-DDL",
    "DDDD LL",
    "LDDD LL",
    "DDDDD L",
    "DLLL DD",
    "DDDD",
    "D-DDD",
    "D-DDDD",
    "D-DDDL",
    "DD-DDDD",
]


def _serial_letters(rng: np.random.Generator) -> str:
    """The letters a plate's serial draws from: a reader that never saw an I or Q on a
    US plate reads them as T and O."""
    draw = rng.random()
    return AZ_ALL if draw < ALL_LETTERS_P else AZ_Q if draw < ALL_LETTERS_P + Q_P else AZ


def _fill(rng: np.random.Generator, pattern: str) -> str:
    az = _serial_letters(rng)
    return "".join(
        letters(rng, az, 1) if c == "L" else letters(rng, DIGITS, 1) if c == "D" else c
        for c in pattern
    )


def _new(rng: np.random.Generator, paint: Callable[[int, int], object]) -> tuple[Canvas, float]:
    h = int(rng.integers(136, 161))
    w = round(h * rng.uniform(1.96, 2.04))
    bg = paint(w, h)
    return Canvas(bg if not isinstance(bg, tuple) else plain(w, h, bg)), h / 150  # type: ignore[arg-type]


def _items(text: str, sep: Item | None = None) -> list[Item]:
    """Characters of `text`; a '.' marks where the emblem separator goes (a space without one)."""
    return [(sep if sep is not None else " ") if c == "." else c for c in text]


def layout(
    cv: Canvas,
    rng: np.random.Generator,
    u: float,
    items: list[Item],
    fg: Colour,
    bg: Colour,
    *,
    state: tuple[str, str, Colour] | None,
    slogan: tuple[str, str, Colour] | None,
    stacked: str | None = None,
    small_line: str | None = None,
    mono_p: float = 0.6,
    shade_p: float = 0.4,
    share: StrokeShare = SHARE,
) -> None:
    """Main number, captions, optional stacked letters / small upper line, holes, stickers, rim."""
    if stacked:
        # Most stand left of the number; Minnesota's disability "HC" and Wyoming's county
        # letters stand right of it, where a reader that saw only left ones read them as
        # trailing characters (7364 read 73643, 4779 read 47798; session 20).
        slot = art.stacked_slot(rng, stacked, fg)
        items = [slot, *items] if rng.random() < STACKED_LEFT_P else [*items, slot]
    if small_line:
        cap, top = rng.uniform(48, 56) * u, rng.uniform(58, 62) * u
    else:
        cap, top = rng.uniform(60, 72) * u, rng.uniform(40, 46) * u
    margin = rng.uniform(10, 20) * u
    font = plate_font(rng, share)
    shade = (
        (art.mix(bg, (0, 0, 0), 0.45), max(1, round(u * rng.uniform(1, 2.5))))
        if rng.random() < shade_p
        else None
    )
    cv.text_line(
        items,
        font,
        margin,
        cv.w - margin,
        top,
        cap,
        jitter(rng, fg, 10),
        squeeze=rng.uniform(0.75, 1.0),
        spacing=rng.uniform(0.05, 0.14),
        space=rng.uniform(0.25, 0.5),
        stroke=int(rng.choice([0, 1, 2])),
        mono=rng.random() < mono_p,
        shade=shade,
    )
    if small_line:
        cv.text_line(
            list(small_line),
            font,
            margin,
            cv.w - margin,
            top - rng.uniform(17, 20) * u,
            rng.uniform(12, 15) * u,
            fg,
            spacing=0.15,
            label=False,
        )
    if state is not None and state[0]:
        text, role, colour = state
        y = (27 if small_line else 31) * u + rng.uniform(-2, 1) * u
        size = rng.uniform(13, 16) if small_line else rng.uniform(15, 21)
        cv.caption(
            text, (cv.w / 2, y), size * u, pick_font(rng, role), colour, max_width=cv.w * 0.5
        )
    if slogan is not None and slogan[0]:
        text, role, colour = slogan
        cv.caption(
            text,
            (cv.w / 2, rng.uniform(138, 142) * u),
            rng.uniform(9, 12) * u,
            pick_font(rng, role),
            colour,
            max_width=cv.w * 0.62,
        )
    if rng.random() < 0.5:
        right = rng.random() < 0.6
        sw, sh = rng.uniform(24, 32) * u, rng.uniform(14, 18) * u
        art.sticker(cv, rng, cv.w - sw - 7 * u if right else 7 * u, 6 * u, sw, sh)
    if rng.random() < 0.8:
        art.holes(cv, rng, bg, bottom=rng.random() < 0.5)
    if rng.random() < 0.5:
        border(
            cv,
            max(1, round(rng.uniform(1.5, 4) * u)),
            jitter(rng, fg, 20),
            round(rng.uniform(6, 14) * u),
            inset=round(u),
        )


# ----------------------------------------------------------------------------- text per state


def _ca(rng: np.random.Generator) -> str:
    return (
        str(int(rng.integers(1, 10)))
        + letters(rng, _serial_letters(rng), 3)
        + letters(rng, DIGITS, 3)
    )


def _lll_dddd(rng: np.random.Generator) -> str:
    return _fill(rng, "LLL.DDDD")


def _fl(rng: np.random.Generator) -> str:
    return _fill(rng, "LLL.LDD")


def _il(rng: np.random.Generator) -> str:
    # Passenger serials run A12 3456 and 123 4567 beside the older AB 12345 (real-dev's
    # crops: 423 3784, G34 3404): a reader that saw no digit run in front of Lincoln read
    # Illinois's open 4 there as L (4701134 read L701134; session 21).
    return _fill(rng, choice(rng, ["LL DDDDD", "LDD DDDD", "DDD DDDD"]))


def _nj(rng: np.random.Generator) -> str:
    # A12-BCD since 2010; ABC-12D before it, still on the road (real-dev's crops: 6 of 300).
    return _fill(rng, choice(rng, ["LDD.LLL", "LLL.DDL"]))


def _mo(rng: np.random.Generator) -> str:
    return _fill(rng, "LLD.LDL")


def _az(rng: np.random.Generator) -> str:
    return _fill(rng, "LLLDDDD")


def _generic(rng: np.random.Generator) -> str:
    if rng.random() < 0.2:
        return letters(rng, AZ_ALL + DIGITS, int(rng.integers(2, 8)))  # vanity
    return _fill(rng, choice(rng, GENERIC_PATTERNS))


# ----------------------------------------------------------------------------- looks per state


def ca_render(rng: np.random.Generator) -> Canvas:
    cv, u = _new(rng, lambda w, h: jitter(rng, WHITE, 4))
    layout(cv, rng, u, _items(_ca(rng)), NAVY, WHITE, mono_p=0.8,
           state=("California", "script", jitter(rng, (190, 30, 40), 15)),
           slogan=(choice(rng, ["dmv.ca.gov", "", "Lake Tahoe", ""]), "small", NAVY))  # fmt: skip
    return cv


def ny_render(rng: np.random.Generator) -> Canvas:
    gold = jitter(rng, (242, 188, 60), 12)
    if rng.random() < 0.5:
        cv, u = _new(
            rng,
            lambda w, h: gradient(w, h, [(0, (250, 250, 246)), (0.45, (250, 240, 210)), (1, gold)]),
        )
        art.skyline(cv, rng, cv.h, cv.h * 0.3, art.mix(gold, (255, 255, 255), 0.35), cv.w * 0.55)
        state, slogan = (
            ("NEW YORK", "small", NAVY),
            ("EXCELSIOR", "small", jitter(rng, (215, 110, 20), 15)),
        )
    else:
        cv, u = _new(rng, lambda w, h: gold)
        cv.draw.rectangle((0, 0, cv.w, 36 * u), fill=jitter(rng, NAVY, 10))
        state, slogan = ("NEW YORK", "small", (250, 250, 250)), ("THE EMPIRE STATE", "small", NAVY)
    sep = "-" if rng.random() < 0.7 else None
    layout(cv, rng, u, _items(_lll_dddd(rng), sep), NAVY, gold, state=state, slogan=slogan)
    return cv


# Texas letters in a thin condensed face whose W has slanted sides and a low middle apex:
# with the common US share (a third in bold TTFs, 40 % narrow Ws), the reader still read
# real-dev's CWW2245, CWM3083 and WXW835 with H or N for the W or M. Texas is also drawn
# more often (weight 0.8 against 0.5 for the other named states; session 22).
TX_SHARE = replace(SHARE, p=0.9, weight=(0.075, 0.115), narrow_w_p=0.8, w_inner=(0.35, 0.9))


def tx_render(rng: np.random.Generator) -> Canvas:
    sky = jitter(rng, (215, 228, 240), 8)
    cv, u = _new(rng, lambda w, h: gradient(w, h, [(0, sky), (0.6, WHITE), (1, WHITE)]))
    art.mountains(cv, rng, cv.h * 0.97, cv.h * 0.3, (222, 222, 218), int(rng.integers(3, 7)))
    cv.draw.polygon(art.star_points(22 * u, 24 * u, 11 * u), fill=(40, 40, 60))
    sep = choice(rng, ["-", art.blob_slot(rng, (30, 30, 30)), art.star_slot((30, 30, 30))])
    layout(cv, rng, u, _items(_lll_dddd(rng), sep), (15, 15, 15), WHITE,
           state=("TEXAS", "small", (20, 20, 20)), slogan=("THE LONE STAR STATE", "small", (20, 20, 20)),
           share=TX_SHARE)  # fmt: skip
    return cv


def fl_render(rng: np.random.Generator) -> Canvas:
    cv, u = _new(rng, lambda w, h: jitter(rng, WHITE, 4))
    green = jitter(rng, (0, 100, 60), 12)
    if rng.random() < 0.3:
        art.sun(cv, cv.w * 0.5, cv.h * 0.55, cv.h * 0.25, (250, 236, 200), rays=False)
    state = choice(rng, [("Florida", "script"), ("MYFLORIDA.COM", "small"), ("FLORIDA", "small")])
    slogan = choice(
        rng, ["Sunshine State", "Miami-Dade", "Orange County", "Hillsborough", "Duval County"]
    )
    layout(cv, rng, u, _items(_fl(rng), art.orange_slot(rng.uniform(0.5, 0.7))), green, WHITE,
           state=(*state, green), slogan=(slogan, "small", green))  # fmt: skip
    return cv


def pa_render(rng: np.random.Generator) -> Canvas:
    cv, u = _new(rng, lambda w, h: jitter(rng, WHITE, 4))
    blue, yellow = jitter(rng, (20, 50, 130), 10), jitter(rng, (250, 200, 40), 10)
    cv.draw.rectangle((0, 0, cv.w, 37 * u), fill=blue)
    cv.draw.rectangle((0, cv.h - 24 * u, cv.w, cv.h), fill=yellow)
    sep = choice(rng, ["-", art.keystone_slot(blue)])
    layout(cv, rng, u, _items(_lll_dddd(rng), sep), blue, WHITE,
           state=("PENNSYLVANIA", "small", (250, 250, 250)), slogan=("visitPA.com", "small", blue))  # fmt: skip
    return cv


# Illinois's face draws every 4 open at the top, its stem stopping about half way up.
IL_SHARE = replace(SHARE, p=0.85, open_four_p=1.0, four_top=(0.45, 0.75))


def il_render(rng: np.random.Generator) -> Canvas:
    cv, u = _new(
        rng, lambda w, h: gradient(w, h, [(0, (235, 240, 248)), (0.5, WHITE), (1, (248, 244, 240))])
    )
    art.skyline(cv, rng, cv.h * 0.9, cv.h * 0.35, (226, 230, 238), 0, cv.w * 0.35)
    art.profile(cv, cv.w * rng.uniform(0.45, 0.6), cv.h * 0.42, cv.h * 0.22, (236, 226, 226))
    red = jitter(rng, (160, 25, 35), 12)
    layout(cv, rng, u, _items(_il(rng)), red, WHITE, stacked=choice(rng, [None, None, None, "TL", "PC"]),
           state=("Illinois", "script", red), slogan=("Land of Lincoln", "script", red), share=IL_SHARE)  # fmt: skip
    return cv


def nj_render(rng: np.random.Generator) -> Canvas:
    top, bottom = jitter(rng, (250, 242, 190), 6), jitter(rng, (228, 204, 120), 8)
    cv, u = _new(rng, lambda w, h: gradient(w, h, [(0, top), (1, bottom)]))
    ink = (15, 15, 15)
    sep = choice(rng, ["-", art.blob_slot(rng, ink)])
    layout(cv, rng, u, _items(_nj(rng), sep), ink, top,
           state=("NEW JERSEY", "small", ink), slogan=("Garden State", choice(rng, ["small", "script"]), ink))  # fmt: skip
    return cv


def az_render(rng: np.random.Generator) -> Canvas:
    return az_current(rng) if rng.random() < AZ_CURRENT_P else az_sunset(rng)


# Arizona's plate since 2008: dark teal characters on a pale sky, whose feet stand in a
# purple mountain band above a yellow strip. A reader that saw only the sunset plate read
# its V, whose point dips into the purple, as U (AVP2403, ASV9218; session 21).
AZ_CURRENT_P = 0.6


def az_current(rng: np.random.Generator) -> Canvas:
    sky = jitter(rng, (170, 214, 226), 12)
    pale = (236, 240, 232)
    cv, u = _new(rng, lambda w, h: gradient(w, h, [(0, sky), (0.55, pale), (1, WHITE)]))
    purple = jitter(rng, (96, 64, 140), 16)
    yellow = jitter(rng, (240, 196, 80), 14)
    band = rng.uniform(0.68, 0.76) * cv.h
    art.mountains(cv, rng, band, cv.h * rng.uniform(0.06, 0.14), purple, int(rng.integers(3, 7)))
    cv.draw.rectangle((0, band + rng.uniform(0.04, 0.07) * cv.h, cv.w, cv.h), fill=yellow)
    art.cactus(
        cv, cv.w * rng.uniform(0.03, 0.08), cv.h * 0.9, cv.h * rng.uniform(0.3, 0.45), purple
    )
    teal = jitter(rng, (16, 60, 66), 14)
    layout(cv, rng, u, _items(_az(rng)), teal, pale,
           state=("ARIZONA", "small", jitter(rng, (60, 110, 150), 15)),
           slogan=("GRAND CANYON STATE", "small", purple))  # fmt: skip
    return cv


def az_sunset(rng: np.random.Generator) -> Canvas:
    stops = [
        (0, jitter(rng, (140, 100, 170), 10)),
        (0.3, jitter(rng, (240, 150, 90), 10)),
        (0.55, (250, 232, 190)),
        (1, (250, 248, 240)),
    ]
    cv, u = _new(rng, lambda w, h: gradient(w, h, stops))
    art.mountains(cv, rng, cv.h, cv.h * 0.25, (232, 214, 206), int(rng.integers(2, 5)))
    for fx in (0.05, 0.95):
        art.cactus(
            cv,
            cv.w * fx + rng.uniform(-5, 5) * u,
            cv.h,
            cv.h * rng.uniform(0.3, 0.42),
            (70, 120, 70),
        )
    maroon = jitter(rng, (110, 25, 40), 10)
    layout(cv, rng, u, _items(_az(rng)), maroon, (250, 240, 230),
           state=("ARIZONA", "small", (250, 250, 250)), slogan=("Grand Canyon State", "small", maroon))  # fmt: skip
    return cv


# Missouri's face draws every 1 with a flag and a foot, and its serial lets letters and
# digits take turns (AB1-C2D), so no run of either tells a 1 from an L or a 6 from a G:
# a reader that never saw the layout read real ones so (AG6V1W as AG6VLW; session 19).
MO_SHARE = replace(SHARE, p=0.85, foot_p=1.0, fe_p=0.0)


def mo_render(rng: np.random.Generator) -> Canvas:
    sky = jitter(rng, (196, 220, 240), 10)
    cv, u = _new(rng, lambda w, h: gradient(w, h, [(0, WHITE), (0.55, WHITE), (1, sky)]))
    if rng.random() < 0.5:
        art.hills(cv, rng, cv.h * 0.95, cv.h * 0.12, art.mix(sky, (255, 255, 255), 0.4))
    navy = jitter(rng, (25, 50, 120), 15)
    mark = jitter(rng, (215, 80, 40), 25)
    sep = choice(rng, ["-", art.blob_slot(rng, mark, 0.3), art.blob_slot(rng, navy, 0.25), None])
    layout(cv, rng, u, _items(_mo(rng), sep), navy, WHITE, share=MO_SHARE,
           state=("MISSOURI", "small", navy),
           slogan=(choice(rng, ["SHOW-ME STATE", "Show-Me State", ""]), "small", navy))  # fmt: skip
    return cv


def _hsv(h: float, s: float, v: float) -> Colour:
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return (round(r * 255), round(g * 255), round(b * 255))


def generic_render(rng: np.random.Generator) -> Canvas:
    bg = _hsv(rng.random(), rng.uniform(0, 0.25), rng.uniform(0.9, 1.0))
    if rng.random() < 0.5:
        other = _hsv(rng.random(), rng.uniform(0, 0.3), rng.uniform(0.85, 1.0))
        cv, u = _new(
            rng, lambda w, h: gradient(w, h, [(0, bg), (1, other)], vertical=rng.random() < 0.7)
        )
    else:
        cv, u = _new(rng, lambda w, h: bg)
    art.paint_random(cv, rng, bg)
    fg = _hsv(rng.random(), rng.uniform(0.3, 1.0), rng.uniform(0.1, 0.45))
    name = choice(rng, STATES)
    role = choice(rng, ["small", "serif", "script"])
    if role == "script" or rng.random() < 0.3:
        name = name.title()
    sep = choice(
        rng,
        [
            None,
            None,
            art.star_slot(fg, 0.3),
            art.blob_slot(rng, fg),
            art.tree_slot(fg),
            art.heart_slot(_hsv(rng.random(), 0.8, 0.6)),
        ],
    )
    text = _generic(rng).replace("-", ".") if sep is not None else _generic(rng)
    items = _items(text, sep)
    if rng.random() < 0.3:  # a specialty plate: an emblem beside the number, mostly left of it
        emblem = art.emblem_slot(rng, fg, rng.uniform(0.9, 1.4))
        items = [emblem, " ", *items] if rng.random() < 0.8 else [*items, " ", emblem]
    layout(cv, rng, u, items, fg, bg,
           # County codes and types stacked left of the number (ID "7B", MS "MC"): not label text.
           stacked=letters(rng, AZ + DIGITS, 2) if rng.random() < 0.35 else None,
           small_line=letters(rng, AZ + DIGITS, int(rng.integers(2, 5))) if rng.random() < 0.15 else None,
           state=(name, role, fg if rng.random() < 0.6 else _hsv(rng.random(), 0.8, 0.6)),
           slogan=(choice(rng, SLOGANS), choice(rng, ["small", "serif", "script"]), fg))  # fmt: skip
    return cv


def _label(gen: Callable[[np.random.Generator], str]) -> Callable[[np.random.Generator], str]:
    return lambda rng: "".join(c for c in gen(rng) if c.isalnum())


FORMATS: dict[str, FormatSpec] = {
    "us_ca": FormatSpec("us", 0.5, _label(_ca), ca_render),
    "us_ny": FormatSpec("us", 0.5, _label(_lll_dddd), ny_render),
    "us_tx": FormatSpec("us", 0.8, _label(_lll_dddd), tx_render),
    "us_fl": FormatSpec("us", 0.5, _label(_fl), fl_render),
    "us_pa": FormatSpec("us", 0.5, _label(_lll_dddd), pa_render),
    "us_il": FormatSpec("us", 0.5, _label(_il), il_render),
    "us_nj": FormatSpec("us", 0.5, _label(_nj), nj_render),
    "us_az": FormatSpec("us", 0.5, _label(_az), az_render),
    "us_mo": FormatSpec("us", 0.5, _label(_mo), mo_render),
    "us_generic": FormatSpec("us", 1.5, _label(_generic), generic_render),
}
