"""The reader's per-character weights: a W, V or M the reader half sees wins over the H, U
or N its faded strokes leave, a 1 or E wins a near tie with an I or F; a real H, U, N, I or F
stays."""

import numpy as np
import pytest

from lpr.charset import BLANK
from lpr.reader import CHAR_WEIGHTS
from tests.vision.test_stray_lead import CHARSET, FixedReader


def steps(*columns: dict[str, float]) -> np.ndarray:
    """CTC steps from {char: probability} dicts; the rest of each step is blank."""
    probs = np.zeros((len(columns), len(CHARSET) + 1), np.float32)
    for t, column in enumerate(columns):
        for char, p in column.items():
            probs[t, CHARSET.index(char) + 1] = p
        probs[t, BLANK] = 1.0 - sum(column.values())
    return probs


CROP = [np.full((40, 160, 3), 128, np.uint8)]


def test_a_w_with_a_quarter_of_an_h_s_probability_is_read_as_w():
    probs = steps({"A": 0.95}, {}, {"B": 0.95}, {}, {"C": 0.95}, {}, {"H": 0.6, "W": 0.2}, {})
    assert CHAR_WEIGHTS["W"] * 0.2 > 0.6  # the case the weight is for
    (read,) = FixedReader(probs, CHAR_WEIGHTS).read(CROP)
    assert read.text == "ABCW"
    assert 0.0 < min(read.char_confidences) and max(read.char_confidences) <= 1.0
    (unweighted,) = FixedReader(probs).read(CROP)
    assert unweighted.text == "ABCH"


def test_a_real_h_where_w_has_little_probability_stays_h():
    probs = steps({"A": 0.95}, {}, {"B": 0.95}, {}, {"C": 0.95}, {}, {"H": 0.9, "W": 0.04}, {})
    (read,) = FixedReader(probs, CHAR_WEIGHTS).read(CROP)
    assert read.text == "ABCH"


def test_a_v_with_half_a_u_s_probability_is_read_as_v_and_a_real_u_stays_u():
    half_seen = steps({"A": 0.95}, {}, {"U": 0.6, "V": 0.3}, {}, {"1": 0.95}, {}, {"2": 0.95}, {})
    assert CHAR_WEIGHTS["V"] * 0.3 > 0.6  # Arizona's V, read as U
    assert FixedReader(half_seen, CHAR_WEIGHTS).read(CROP)[0].text == "AV12"
    assert FixedReader(half_seen).read(CROP)[0].text == "AU12"
    real_u = steps({"A": 0.95}, {}, {"U": 0.9, "V": 0.04}, {}, {"1": 0.95}, {}, {"2": 0.95}, {})
    assert FixedReader(real_u, CHAR_WEIGHTS).read(CROP)[0].text == "AU12"


def test_an_m_with_half_an_n_s_probability_is_read_as_m():
    half_seen = steps({"B": 0.95}, {}, {"N": 0.6, "M": 0.3}, {}, {"5": 0.95}, {}, {"T": 0.95}, {})
    assert CHAR_WEIGHTS["M"] * 0.3 > 0.6
    assert FixedReader(half_seen, CHAR_WEIGHTS).read(CROP)[0].text == "BM5T"
    real_n = steps({"B": 0.95}, {}, {"N": 0.9, "M": 0.04}, {}, {"5": 0.95}, {}, {"T": 0.95}, {})
    assert FixedReader(real_n, CHAR_WEIGHTS).read(CROP)[0].text == "BN5T"


# A US 1 with a flag and a foot reads as I, an E whose bottom bar fades as F: their
# weights settle near ties only. `plate` marks with ? where the two compete.
@pytest.mark.parametrize("char, rival, plate", [("1", "I", "?G32"), ("E", "F", "7?AV")])
def test_a_near_tie_goes_to_the_weighted_character_and_a_clear_rival_stays(char, rival, plate):
    def read(tie: dict[str, float], weights=None) -> str:
        columns = [col for c in plate for col in (tie if c == "?" else {c: 0.95}, {})]
        return FixedReader(steps(*columns), weights).read(CROP)[0].text

    near_tie, clear = {rival: 0.5, char: 0.45}, {rival: 0.7, char: 0.25}
    assert read(near_tie, CHAR_WEIGHTS) == plate.replace("?", char)
    assert read(near_tie) == plate.replace("?", rival)
    assert read(clear, CHAR_WEIGHTS) == plate.replace("?", rival)
