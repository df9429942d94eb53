"""Plain result types passed between the detector, the reader and their users."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in image pixels, x2/y2 exclusive


@dataclass(frozen=True)
class Detection:
    box: Box
    confidence: float


@dataclass(frozen=True)
class PlateRead:
    text: str  # normalised: upper case, no spaces or dashes (UTF-8, may hold Arabic letters)
    confidence: float  # product of the per-character confidences, 0..1
    char_confidences: list[float]
    candidates: list[tuple[str, float]] = field(default_factory=list)  # top-N (text, confidence)
    format: str | None = None  # name of the plate format pattern it matched, if any
    # Where the characters lie across the crop, as fractions of its width (from the
    # CTC steps that emitted them); None when nothing was read.
    text_span: tuple[float, float] | None = None


# What a read needs to count as a plate, by default (ReadPolicy says why): the one
# place the command line, `load_pipeline()` and the recognizer service take them from,
# so a service reports what `lpr scan` and `lpr eval` measured. 0.2: chosen on real-dev.
READ_MIN_CONFIDENCE = 0.2
READ_MIN_CHARS = 4
READ_MAX_CHARS = 10
WORD_BOX = 0.5  # detector score a read without digits needs (ReadPolicy)
# The reader reads one line, squeezed to 4:1: a box not 1.2 times as wide as it is tall
# holds no one-line plate it could read (US plates are 2:1, Brazil's 3:1, EU 4.7:1; the
# narrowest labelled plate of real-dev is 1.3:1), but a fence or a grille boxed square
# reads as 7s and Ts (T777, a false plate of session 20's reader; none true lost).
MIN_ASPECT = 1.2
# A box the detector scores under UNSURE_BOX needs a read at least UNSURE_BOX_READ sure.
UNSURE_BOX = 0.3
UNSURE_BOX_READ = 0.35
# One letter (Latin or Arabic) four times running, or any character five times.
STRIPES = re.compile(r"([^\W\d_])\1{3}|(\w)\2{4}")


@dataclass(frozen=True)
class ReadPolicy:
    """Which reads count as plates: confident enough, and as long as a plate.

    Emblems, lamps and model names that the detector mistakes for plates read
    as one to three junk characters: on real photos a 4-character minimum
    removed three quarters of the false detections and no true plate. Sites
    with shorter (vanity) plates lower `min_chars`. At the other end, a camera's
    date-and-time overlay or a sign reads as a line of 10-12 characters, longer
    than any plate format in common use (India's, 10 characters, is among the
    longest); `max_chars` (0: no limit) drops those. A read that mixes Latin and
    Arabic letters is no plate the reader knows (Moroccan serials are digits and
    one Arabic letter): it is a sign or a badge read by a reader that has no
    better letter for it.

    A read with no digit is a word more often than a plate: badges and signs
    (TOYOTA, SANDERO, RESIDENT) are everywhere, vanity plates of letters only
    are rare, and the detector boxes a real one as a plate (real-dev's two at
    0.73 and 0.80). So such a read needs a box the detector is at least
    `WORD_BOX` sure of (`box_confidence`; 1 where the box is known to hold a
    plate). On real-dev this dropped 5 false plates and no true one (session 13).
    A 0 whose neighbours are letters counts as a letter here: a word's O is read as
    0 (ONLY as 0NLY, a false plate of session 19's reader), and a vanity plate's
    (C0UGAR) is still boxed surely.

    A letter four or more times in a row is a grille, a railing or a tread read by
    CTC, whose steps see the same stripe again and again (WWWWW, TTTT7): none of
    real-dev's 498 labelled plates has one (AAA2208 and 000BBB have three). Digits
    repeat on plates (P0W9999, 800002 have four), but none five times: a grille or a
    fence read as 77777 (three false plates of session 20's readers) is stripes too.

    A read from a box given to `accepts` must have a one-line plate's shape (`MIN_ASPECT`).

    Junk is unsure twice over: a badge or a dealer's line (`ATTRACTIVE 1.4` read
    TTR9CTVB, box 0.17, read 0.24) is a box the detector doubts, read by a reader that
    doubts it too, while a real plate the detector doubts (far, dark) is mostly read
    surely, and one it is sure of may be read unsurely (dirt, glare). So a box scored
    under `UNSURE_BOX` needs a read at least `UNSURE_BOX_READ` sure. On real-dev's
    scenes and their four degraded copies (session 25) this dropped 13 false plates and
    no exact read; scenes precision 0.944 -> 0.959 (Brazil 0.893 -> 0.909, US 0.956 ->
    0.978) at the same recall, the blurred and glared copies each lose one misread plate.
    With boxes under 0.4 one false plate more goes, and three more misread plates.
    """

    min_confidence: float = READ_MIN_CONFIDENCE
    min_chars: int = READ_MIN_CHARS
    max_chars: int = READ_MAX_CHARS  # 0: no limit

    def accepts(self, read: PlateRead, box_confidence: float = 1.0, box=None) -> bool:
        n = len(read.text)
        return (
            n >= max(self.min_chars, 1)
            and (not self.max_chars or n <= self.max_chars)
            and read.confidence >= self.min_confidence
            and not mixes_scripts(read.text)
            and not STRIPES.search(read.text)
            and (box_confidence >= WORD_BOX or _has_digit(read.text))
            and (box is None or box[2] - box[0] > MIN_ASPECT * (box[3] - box[1]))
            and (box_confidence >= UNSURE_BOX or read.confidence >= UNSURE_BOX_READ)
        )


def _has_digit(text: str) -> bool:
    """Whether `text` holds a digit other than 0s between letters (ONLY read 0NLY, and a
    vanity word's Os, which lpr/formats.py writes 0: G00D)."""
    text = re.sub("0+", "0", text)
    return any(c.isdigit() and not (c == "0" and among_others(text, i)) for i, c in enumerate(text))


def among_others(text: str, i: int) -> bool:
    """Whether the O or 0 at `i` stands among characters of the other kind: a 0 whose
    neighbours are letters, an O whose neighbours are digits (a missing one, at either
    end, counts as either)."""
    kind = str.isdigit if text[i] == "O" else str.isalpha
    return all(kind(text[j]) for j in (i - 1, i + 1) if 0 <= j < len(text))


def mixes_scripts(text: str) -> bool:
    """Whether `text` holds both Latin (A-Z) and Arabic letters."""
    latin = any("A" <= c <= "Z" for c in text)
    return latin and any("\u0600" <= c <= "\u06ff" for c in text)


@dataclass(frozen=True)
class PlateResult:
    """One plate found in a frame and read."""

    box: Box
    detector_confidence: float
    read: PlateRead

    def to_json(self) -> dict:
        return {
            "text": self.read.text,
            "confidence": round(self.read.confidence, 4),
            "char_confidences": [round(c, 4) for c in self.read.char_confidences],
            "box": [round(v, 1) for v in self.box],
            "detector_confidence": round(self.detector_confidence, 4),
            "format": self.read.format,
            "candidates": [[t, round(c, 4)] for t, c in self.read.candidates],
        }
