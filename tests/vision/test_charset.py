import numpy as np
import pytest

from lpr.charset import BLANK, CTCTokenizer, normalise_text

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZأبدهوط"


def probs_for(path: list[int], classes: int, sure: float = 0.9) -> np.ndarray:
    p = np.full((len(path), classes), (1 - sure) / (classes - 1), np.float32)
    p[np.arange(len(path)), path] = sure
    return p


def test_encode_is_one_based_and_blank_is_zero():
    tok = CTCTokenizer(CHARSET)
    assert tok.num_classes == len(CHARSET) + 1
    assert tok.encode("0A") == [1, 11]
    assert BLANK == 0


def test_encode_rejects_unknown_characters():
    with pytest.raises(ValueError, match="not in charset"):
        CTCTokenizer(CHARSET).encode("AB-1")


def test_greedy_decode_collapses_repeats_and_drops_blanks():
    tok = CTCTokenizer(CHARSET)
    a, one = tok.encode("A")[0], tok.encode("1")[0]
    path = [BLANK, a, a, BLANK, a, one, one, BLANK]
    text, confs = tok.decode_greedy(probs_for(path, tok.num_classes))
    assert text == "AA1"
    assert len(confs) == 3 and all(abs(c - 0.9) < 1e-6 for c in confs)


def test_arabic_letters_round_trip():
    tok = CTCTokenizer(CHARSET)
    ids = tok.encode("12ب3")
    path = [i for x in ids for i in (x, BLANK)]
    assert tok.decode_greedy(probs_for(path, tok.num_classes))[0] == "12ب3"


def test_candidates_offer_the_runner_up_of_an_unsure_character():
    tok = CTCTokenizer(CHARSET)
    o, zero, a = tok.encode("O")[0], tok.encode("0")[0], tok.encode("A")[0]
    p = probs_for([a, BLANK, o, BLANK], tok.num_classes, sure=0.95)
    p[2, :] = 0.0
    p[2, o], p[2, zero] = 0.55, 0.45  # O or 0: a near tie
    cands = tok.candidates(p, top_n=3)
    texts = [t for t, _ in cands]
    assert texts[0] == "AO" and "A0" in texts
    assert cands[0][1] >= cands[1][1]


def test_decode_gives_the_greedy_read_and_its_candidates_at_once():
    tok = CTCTokenizer(CHARSET)
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.dirichlet(np.full(tok.num_classes, 0.2), size=16).astype(np.float32)
        text, confs, cands = tok.decode(p, top_n=4)
        assert (text, confs) == tok.decode_greedy(p)
        assert cands == tok.candidates(p, top_n=4)


def test_normalise_text():
    assert normalise_text("ab-123 cd") == "AB123CD"
    assert normalise_text("12345 | ب | 6") == "12345ب6"
