"""The reader drops an unsure first character that stands well left of the rest."""

import numpy as np
import pytest

from lpr.charset import BLANK, CTCTokenizer
from lpr.reader import PlateReader

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPS = 32


class FixedReader(PlateReader):
    """A reader whose network always outputs the given per-step probabilities (no
    letter weighted unless asked: the probabilities here spread over every class)."""

    def __init__(self, probs: np.ndarray, char_weights: dict[str, float] | None = None):
        super().__init__(CTCTokenizer(CHARSET), char_weights=char_weights or {})
        self.fixed = probs

    def _probs(self, batch: np.ndarray) -> np.ndarray:
        return np.repeat(self.fixed[None], len(batch), axis=0)


def emitting(chars: dict[int, tuple[str, float]]) -> np.ndarray:
    """Per-step probabilities emitting `char` at `step` with probability `sure`, else blank."""
    tok = CTCTokenizer(CHARSET)
    p = np.zeros((STEPS, tok.num_classes), np.float32)
    p[:, BLANK] = 1.0
    for step, (char, sure) in chars.items():
        p[step] = (1 - sure) / (tok.num_classes - 1)
        p[step, tok.encode(char)[0]] = sure
    return p


def read(chars: dict[int, tuple[str, float]]):
    return FixedReader(emitting(chars)).read([np.full((40, 160, 3), 128, np.uint8)])[0]


# "HM" + "95003" at a pitch of 3 steps: the county code sits 8 steps left of the number
NUMBER = {12 + 3 * i: (c, 0.99) for i, c in enumerate("95003")}


def test_an_unsure_stray_first_character_is_dropped_and_the_read_no_surer():
    out = read({4: ("M", 0.6), **NUMBER})
    assert out.text == "95003"
    assert out.confidence == pytest.approx(0.6 * 0.99**5, rel=1e-4)
    assert out.text_span[0] == pytest.approx(12 / STEPS)


@pytest.mark.parametrize(
    "chars",
    [
        {4: ("M", 0.95), **NUMBER},  # sure of it: a real first character
        {9: ("M", 0.6), **NUMBER},  # in step with the rest
        {4: ("M", 0.6), 12: ("9", 0.99), 15: ("5", 0.99), 18: ("0", 0.99)},  # too short to tell
    ],
)
def test_a_first_character_that_is_sure_close_or_on_a_short_read_stays(chars):
    assert read(chars).text == "".join(c for _, (c, _) in sorted(chars.items()))


def test_a_read_that_fits_a_format_pattern_is_left_alone():
    # "ABC1234" fits the Brazilian grey and US ABC1234 patterns even with a wide first gap
    chars = {2: ("A", 0.6), **{12 + 3 * i: (c, 0.99) for i, c in enumerate("BC1234")}}
    assert read(chars).text == "ABC1234"
