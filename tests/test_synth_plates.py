"""Flat plate renderers: determinism, labels and character boxes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from training.synth.fonts import FONT_PACKAGES, ROLES, role_fonts
from training.synth.plates import (
    CHARSET,
    FORMATS,
    REGIONS,
    RenderedPlate,
    random_plate_text,
    render_plate,
)

PATTERNS: dict[str, str] = {
    "fr_siv": r"[A-HJ-NP-TV-Z]{2}\d{3}[A-HJ-NP-TV-Z]{2}",
    "sk": r"[A-Z]{2}\d{3}[A-Z]{2}",
    "de": r"[A-Z]{1,3}[A-Z]{1,2}[1-9]\d{0,3}[EH]?",
    "cz": r"[1-9][A-Z][A-Z0-9]\d{4}",
    "eu_generic": r"[A-Z0-9]{3,8}",
    "us_ca": r"[1-9][A-Z]{3}\d{3}",
    "us_ny": r"[A-Z]{3}\d{4}",
    "us_tx": r"[A-Z]{3}\d{4}",
    "us_fl": r"[A-Z]{4}\d{2}",
    "us_pa": r"[A-Z]{3}\d{4}",
    "us_il": r"[A-Z]{2}\d{5}|[A-Z0-9]\d{6}",
    "us_nj": r"[A-Z]\d{2}[A-Z]{3}|[A-Z]{3}\d{2}[A-Z]",  # A12-BCD and the older ABC-12D
    "us_az": r"[A-Z]{3}\d{4}",
    "us_mo": r"[A-Z]{2}\d[A-Z]\d[A-Z]",
    "us_generic": r"[A-Z0-9]{2,7}",
    "br_grey": r"[A-Z]{3}\d{4}",
    "br_mercosur": r"[A-Z]{3}\d[A-Z]\d{2}",
    "ma": r"[1-9]\d{0,4}[أبدهوط]([1-9]|[1-8]\d)",
}
REGION_OF = {"br_grey": "br", "br_mercosur": "br", "ma": "ma"}

PER_FORMAT = 12


def _region(fmt: str) -> str:
    return REGION_OF.get(fmt, "us" if fmt.startswith("us_") else "eu")


def test_every_format_has_a_pattern() -> None:
    assert set(PATTERNS) == set(FORMATS)
    assert len([f for f in FORMATS if f.startswith("us_")]) >= 9
    assert all(w > 0 for w in FORMATS.values())


def test_us_serials_include_a_letter_after_digits_and_short_ones() -> None:
    """Real US serials such as New Jersey's older RZJ-80D and Wyoming's 4 779: a reader
    that never saw their shapes read the last letter as a digit (session 31)."""
    rng = np.random.default_rng(7)
    nj = {random_plate_text(rng, "us_nj") for _ in range(60)}
    generic = {random_plate_text(rng, "us_generic") for _ in range(600)}
    assert any(re.fullmatch(r"[A-Z]\d{2}[A-Z]{3}", t) for t in nj)
    assert any(re.fullmatch(r"[A-Z]{3}\d{2}[A-Z]", t) for t in nj)
    assert any(re.fullmatch(r"[A-Z]{3}\d{2}[A-Z]", t) for t in generic)
    assert any(re.fullmatch(r"\d{4}", t) for t in generic)


@pytest.fixture(scope="module")
def plates() -> list[RenderedPlate]:
    rng = np.random.default_rng(1234)
    return [render_plate(rng, fmt) for fmt in FORMATS for _ in range(PER_FORMAT)]


def test_plates_are_valid(plates: list[RenderedPlate]) -> None:
    for p in plates:
        where = f"{p.format} {p.text!r}"
        assert p.image.dtype == np.uint8 and p.image.ndim == 3 and p.image.shape[2] == 3, where
        h, w = p.image.shape[:2]
        assert 90 <= h <= 170 and 1.8 <= w / h <= 5.0, where
        assert p.image.flags["C_CONTIGUOUS"], where
        assert re.fullmatch(PATTERNS[p.format], p.text), where
        assert set(p.text) <= set(CHARSET), where
        assert p.region in REGIONS and p.region == _region(p.format), where
        assert len(p.char_boxes) == len(p.text), where
        prev_cx = -1.0
        for x1, y1, x2, y2 in p.char_boxes:
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h, where
            assert (y2 - y1) >= 0.2 * h, where  # a label character is never a caption-sized glyph
            cx = (x1 + x2) / 2
            assert cx > prev_cx, where  # visual left-to-right order
            prev_cx = cx
        # boxes must hold ink: the characters contrast with the plate around them
        # (2 px around the box: a bare bar such as I is all ink inside its own box)
        for x1, y1, x2, y2 in p.char_boxes:
            patch = p.image[y1:y2, max(0, x1 - 2) : x2 + 2].astype(int).sum(axis=2)
            assert patch.max() - patch.min() > 150, where


def test_deterministic() -> None:
    for seed in (0, 7):
        a = [render_plate(np.random.default_rng(seed)) for _ in range(1)]
        rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(25):
            pa, pb = render_plate(rng_a), render_plate(rng_b)
            assert pa.text == pb.text and pa.format == pb.format
            assert pa.image.shape == pb.image.shape and pa.image.tobytes() == pb.image.tobytes()
            assert pa.char_boxes == pb.char_boxes
        assert a[0].text == render_plate(np.random.default_rng(seed)).text


def test_random_format_sampling_covers_regions() -> None:
    rng = np.random.default_rng(5)
    seen = {render_plate(rng).region for _ in range(80)}
    assert seen == set(REGIONS)


def test_random_plate_text_matches_format() -> None:
    rng = np.random.default_rng(3)
    for fmt in FORMATS:
        for _ in range(50):
            text = random_plate_text(rng, fmt)
            assert re.fullmatch(PATTERNS[fmt], text), (fmt, text)
            assert set(text) <= set(CHARSET)


def test_us_serials_write_the_round_glyph_as_zero_and_rarely_use_i() -> None:
    """US plates draw O and 0 alike and labels write 0; I is far rarer than 1."""
    rng = np.random.default_rng(11)
    texts = [
        random_plate_text(rng, fmt) for fmt in FORMATS if fmt.startswith("us_") for _ in range(300)
    ]
    joined = "".join(texts)
    assert "O" not in joined
    assert 0 < joined.count("I") < joined.count("1") / 4
    # Q, a third as common as an average letter on real US plates, is not left out.
    letters = sum(c.isalpha() for c in joined)
    assert 0.01 < joined.count("Q") / letters < 0.03


def test_charset_is_unique_and_fonts_resolve() -> None:
    assert len(set(CHARSET)) == len(CHARSET)
    assert FONT_PACKAGES
    for role in ROLES:
        assert role_fonts(role)
