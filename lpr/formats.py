"""Plate format patterns, used as a hint when choosing among the reader's candidates.

A read that fits no pattern is still returned (vanity plates, formats not
listed): patterns only break near-ties between candidates, such as O/0 or
B/8 swaps, in favour of the one a real plate could carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations

from lpr.types import STRIPES, PlateRead, among_others

ARABIC = "أبدهوطجشي"
KNOWN_PATTERNS: dict[str, str] = {
    "fr_siv": r"[A-HJ-NP-TV-Z]{2}\d{3}[A-HJ-NP-TV-Z]{2}",
    "sk": r"[A-Z]{2}\d{3}[A-Z]{2}",
    # The region digit is never 0 (else it "confirms" 0KL1235), and the region letter is
    # one of the 14 regions' (so 1O49338 is not "confirmed" by a swap of 0 for O).
    "cz": r"[1-9][ABCEHJKLMPSTUZ][A-Z0-9]\d{4}",
    "de": r"[A-Z]{1,3}[A-Z]{1,2}\d{1,4}[EH]?",
    "br_grey": r"[A-Z]{3}\d{4}",
    "br_mercosur": r"[A-Z]{3}\d[A-Z]\d{2}",
    "ma": rf"\d{{1,5}}[{ARABIC}]\d{{1,2}}",
    "us_1abc234": r"[1-9][A-Z]{3}\d{3}",
    "us_abc1234": r"[A-Z]{3}\d{4}",
    "us_abc123": r"[A-Z]{3}\d{3}",
    # New Jersey's and Maryland's older ABC-12D: without it, us_abc123 took a runner-up
    # 0 for the last letter (UAA470 at 0.27 over UAA47C at 0.68). Session 34: crops +1, none
    # broken; synthetic holdout 3,407 -> 3,415 of 4,000.
    "us_abc12d": r"[A-Z]{3}\d{2}[A-Z]",
    "us_123abc": r"\d{3}[A-Z]{3}",
    # Missouri's AB1-C2D, a quarter of real-dev's US scenes: its 1 (flag and foot) reads
    # as L, its 6 as G, and without the pattern nothing told them apart (session 19).
    "us_ab1c2d": r"[A-Z]{2}\d[A-Z]\d[A-Z]",
}

# The German pattern fits most short Latin plates (PXP-B 172), so it would
# "confirm" misreads of other formats: a German site turns it on itself.
DEFAULT_PATTERNS = {name: p for name, p in KNOWN_PATTERNS.items() if name != "de"}

# Serials group their digits: an I or O between two digits, or leading the plate
# before a digit, is a 1 or 0 read as a letter (US faces draw 1 as a bar with a small
# flag, O and 0 alike). Applied only to reads that fit no pattern: Mercosur's ABC1I23
# has a letter between digits. No label of real-dev has such an I or O; 7 of its 300
# US plate crops were read with one (I26PTU for 126PTU, 0I7M149 for 017M149). Of 8,000
# synthetic labels, 2 have one.
DIGIT_LOOKALIKES = {"I": "1", "O": "0"}
_AMID_DIGITS = re.compile(r"(?:(?<=\d)|^)[IO](?=\d)")


def digits_in_context(text: str) -> str:
    """`text` with an I or O that stands among digits read as that digit."""
    return _AMID_DIGITS.sub(lambda m: DIGIT_LOOKALIKES[m.group()], text)


# A read with no digit that fits no pattern is a vanity word, a US practice: every EU,
# Brazilian and Moroccan format carries digits. US faces draw O and 0 alike, US registries
# take them for one character, and real-dev's US labels write it 0 (170 times against 6 O:
# `CUST0M`); the generator has drawn US plates without O since session 7. But in a word the
# reader still reads O, as its EU and Brazilian plates taught it. On real-dev (session 34)
# the plate crops read 260 -> 263 (`0MYSTRZ`, `CUST0M`, `GR0WAPR`), none broken; on 4,000
# synthetic holdout crops 3,412 -> 3,407, all generic EU strings drawn without digits (BOXT).
# A run of Os (a wheel, a row of lamps) is left for the read policy to drop as stripes.
def vanity_zeros(text: str) -> str:
    """`text` with O written 0 if it holds no digit (a US vanity word)."""
    if any(c.isdigit() for c in text) or STRIPES.search(text):
        return text
    return text.replace("O", "0")


# O and 0 are drawn alike on many plates (Brazil's grey ones, most US faces), and the
# reader's runner-up for one is seldom the other. So a read that fits no pattern, nor
# does any candidate, takes the reading with one or two O/0 swapped that fits one, if
# only one does, and only where the swapped character stands among the other kind (a
# 0 among letters, an O among digits). On real-dev (session 18) it fixed Brazil's
# 0ZL2318 and 0LE5095 and the US crops' 0IT643, 471NZ0, 778A0S and 824B0J, and broke
# the crops' 0JW695 and P0W9999: exact reads over the seven sets 1,037 -> 1,048 of
# 1,458. On 4,000 synthetic holdout crops it broke one read (0AN283) and fixed none;
# without the neighbours' condition, 13 (Illinois's AW03160 read AWO3160, which fits
# us_abc1234). With I/1 too it broke seven real US reads of 1 (788IBZ) and fixed none.
# An I read where a 1 stands is swapped too, one way only and wherever it stands: US
# faces draw 1 as a bar with a flag (Missouri's with a foot as well), most states leave
# I out of serials, and in Missouri's AB1-C2D the 1 stands among letters (DL9EIU). On
# real-dev (session 19) the seven sets read 1,066 -> 1,071, none lower; on the synthetic
# holdout it broke one read (LUVI859) and fixed none.
LOOKALIKES = {"O": "0", "0": "O", "I": "1"}
MAX_LOOKALIKE_SWAPS = 2

# A candidate that fits a pattern wins over the top one that does not when it
# is at least this fraction as likely: a tie-breaker, never an override. Session
# 17's wider reader is surer of its top read, so its runners-up carry less: 0.1
# (0.25 before) read 3 more plates of real-dev's seven sets with an epoch of its run
# (1,030 -> 1,033 of 1,458; models/HISTORY.md, session 17).
HINT_RATIO = 0.1


def patterns_named(names: str) -> dict[str, str]:
    """Site formats from a comma list of known names, e.g. "fr_siv,ma"."""
    chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in KNOWN_PATTERNS]
    if unknown:
        raise ValueError(f"unknown plate formats {unknown}; known: {sorted(KNOWN_PATTERNS)}")
    return {n: KNOWN_PATTERNS[n] for n in chosen}


def _swappable(text: str, i: int) -> bool:
    """Whether the character at `i` may be swapped for its lookalike (LOOKALIKES)."""
    return text[i] == "I" or (text[i] in "O0" and among_others(text, i))


def _lookalike(text: str, top: str) -> bool:
    """Whether `text` is `top` with only lookalikes swapped, as `lookalike_fit` swaps them."""
    return len(text) == len(top) and all(
        a == b or (LOOKALIKES.get(b) == a and _swappable(top, i))
        for i, (a, b) in enumerate(zip(text, top, strict=True))
    )


class FormatMatcher:
    def __init__(self, patterns: dict[str, str] | None = None):
        self.patterns = {
            name: re.compile(rf"^(?:{p})$") for name, p in (patterns or DEFAULT_PATTERNS).items()
        }

    def match(self, text: str) -> str | None:
        for name, pattern in self.patterns.items():
            if pattern.match(text):
                return name
        return None

    def choose(self, candidates: Iterable[tuple[str, float]]) -> tuple[str, float, str | None]:
        ranked = list(candidates)
        if not ranked:
            return "", 0.0, None
        top_text, top_conf = ranked[0]
        top_format = self.match(top_text)
        if top_format:
            return top_text, top_conf, top_format
        for text, conf in ranked[1:]:
            fmt = self.match(text)
            if fmt and conf >= HINT_RATIO * top_conf:
                # A lookalike of the top read (O for 0) is as sure as it, as a swap is.
                return text, top_conf if _lookalike(text, top_text) else conf, fmt
        text = digits_in_context(top_text)
        fmt = self.match(text)
        if fmt is None and (swapped := self.lookalike_fit(top_text)):
            return swapped[0], top_conf, swapped[1]
        return (vanity_zeros(text) if fmt is None else text), top_conf, fmt

    def lookalike_fit(self, text: str) -> tuple[str, str] | None:
        """`text` with one or two lookalikes swapped (O/0, I to 1), and its format, if
        exactly one such reading fits a pattern (with the fewest swaps); else None."""
        spots = [i for i in range(len(text)) if _swappable(text, i)]
        for swaps in range(1, min(MAX_LOOKALIKE_SWAPS, len(spots)) + 1):
            fits = set()
            for chosen in combinations(spots, swaps):
                chars = list(text)
                for i in chosen:
                    chars[i] = LOOKALIKES[chars[i]]
                variant = "".join(chars)
                if fmt := self.match(variant):
                    fits.add((variant, fmt))
            if fits:
                return fits.pop() if len(fits) == 1 else None
        return None

    def apply(self, read: PlateRead) -> PlateRead:
        text, conf, fmt = self.choose(read.candidates or [(read.text, read.confidence)])
        if text == read.text:
            return replace(read, format=fmt)
        # The swap changes characters, not their number, so per-char confidences
        # stay aligned; the swapped ones take the candidate's ratio.
        ratio = conf / max(read.confidence, 1e-9)
        chars = [
            c if a == b else min(1.0, c * ratio)
            for a, b, c in zip(read.text, text, read.char_confidences, strict=False)
        ]
        return replace(read, text=text, confidence=conf, char_confidences=chars, format=fmt)
