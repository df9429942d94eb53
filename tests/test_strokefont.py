"""The DIN 1451-style stroke font: complete, well-formed, distinct where readers confuse."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from training.synth.plates.common import REF_CAP, Canvas, StrokeShare, glyph, plate_font
from training.synth.plates.us import SHARE as US_SHARE
from training.synth.strokefont import (
    GLYPHS,
    StrokeFont,
    glyph_mask,
    rasterise,
    render_glyph,
    sample_font,
)

FACES = [
    StrokeFont(),  # Mittelschrift, weight 1/7
    StrokeFont(0.11, 0.72),  # light Engschrift
    StrokeFont(0.16, 1.1, "fe", round_ends=True),
    StrokeFont(0.13, 0.85, "din", round_ends=True, foot_one=True),
]


@pytest.mark.parametrize("font", FACES)
@pytest.mark.parametrize("cap", [12, 24, 64, 131])
def test_every_glyph_fills_the_cap_band(font: StrokeFont, cap: int) -> None:
    for ch in GLYPHS:
        g = render_glyph(ch, cap, font)
        m = np.asarray(g.image)
        assert m.shape == (g.height, g.width) and m.dtype == np.uint8, ch
        assert (m > 127).sum() >= cap // 2, ch  # real ink, not a speck
        # capitals and figures stand exactly on the baseline and reach the cap line
        assert g.top == 0 and g.height == cap, (ch, g.top, g.height)
        assert 0.1 * cap <= g.width <= 1.2 * cap, (ch, g.width)
        # cropped to ink: every border row/column holds ink
        for edge in (m[0], m[-1], m[:, 0], m[:, -1]):
            assert edge.max() > 24, ch


def test_stroke_weight_is_constant() -> None:
    """A stem is exactly `weight` cap heights wide."""
    for w in (0.1, 1 / 7, 0.16):
        m = glyph_mask("I", 200, StrokeFont(w, 1.0))
        assert abs(m.shape[1] - w * 200) <= 1.5
        row = m[100].astype(float) / 255
        assert abs(row.sum() - w * 200) < 1.0


def test_widths_grow_with_condensation() -> None:
    conds = [0.6, 0.72, 0.85, 1.0, 1.15, 1.3]
    for variant in ("din", "fe"):
        for ch in GLYPHS:
            widths = [render_glyph(ch, 64, StrokeFont(0.13, c, variant)).width for c in conds]
            assert widths == sorted(widths), (ch, variant, widths)
            if ch != "I":
                assert widths[-1] >= widths[0] + 8, (ch, variant, widths)


def test_heavier_faces_are_darker() -> None:
    for ch in "08BMSW":
        ink = [glyph_mask(ch, 64, StrokeFont(w, 0.9)).sum() for w in (0.1, 0.13, 0.16)]
        assert ink == sorted(ink) and ink[0] < ink[-1], ch


def _iou(a: str, b: str, font: StrokeFont, cap: int = 64) -> float:
    """Overlap of two glyphs set on the same line, centred on each other."""
    ga, gb = render_glyph(a, cap, font), render_glyph(b, cap, font)
    w = max(ga.width, gb.width)

    def placed(g) -> np.ndarray:
        out = np.zeros((cap, w), bool)
        x = (w - g.width) // 2
        out[g.top : g.top + g.height, x : x + g.width] = np.asarray(g.image) > 127
        return out

    ma, mb = placed(ga), placed(gb)
    return float((ma & mb).sum() / (ma | mb).sum())


CONFUSABLE = ["0O", "0D", "OD", "8B", "1I", "4A", "MH", "GC", "5S", "2Z", "6G", "3B", "QO"]


@pytest.mark.parametrize("font", FACES)
def test_confusable_pairs_differ(font: StrokeFont) -> None:
    for a, b in CONFUSABLE:
        assert _iou(a, b, font) < 0.8, (a, b, font)
    # the classic plate-reader traps are clearly apart in the standard face
    std = StrokeFont()
    assert _iou("0", "O", std) < 0.6 and _iou("1", "I", std) < 0.4 and _iou("M", "H", std) < 0.5


def test_geometry_of_key_distinctions() -> None:
    f = StrokeFont()
    w = {ch: render_glyph(ch, 100, f).width for ch in "0OD"}
    assert w["O"] > w["0"] + 8  # O is round, 0 a narrow oval
    # B and D have a straight, full-height left side; 8 and 0 are round there
    for ch, flat in (("B", True), ("D", True), ("8", False), ("0", False)):
        m = glyph_mask(ch, 100, f) > 127
        col = m[:, 2]  # just inside the left edge
        assert col.all() == flat, ch
    # DIN M: the V stops well above the baseline (FE: about half way)
    for variant, lo, hi in (("din", 0.15, 0.4), ("fe", 0.35, 0.6)):
        m = glyph_mask("M", 100, StrokeFont(variant=variant)) > 127
        mid = m[:, m.shape[1] // 2]
        vertex = 100 - np.nonzero(mid)[0].max()  # height of the V's lowest ink
        assert lo * 100 < vertex < hi * 100, (variant, vertex)
    # G has a bar (ink inside the bowl at the middle), C is open there
    g, c = glyph_mask("G", 100, f) > 127, glyph_mask("C", 100, f) > 127
    assert g[55:62, -25:-5].any() and not c[55:62, -25:-5].any()
    # FE forms: open 4 (no ink joining at the top), and a foot on the DIN 1 only when asked
    four = glyph_mask("4", 100, StrokeFont(variant="fe")) > 127
    assert (~four[0]).sum() > 3 and four[0, 0] == 0
    one, footed = (
        glyph_mask("1", 100, f) > 127,
        glyph_mask("1", 100, StrokeFont(foot_one=True)) > 127,
    )
    assert footed.shape[1] > one.shape[1] and footed[-1].sum() > 2 * one[-1].sum()


def test_brazilian_variant_has_a_bare_one_and_boxy_bowls() -> None:
    br = StrokeFont(variant="br")
    one, bar = glyph_mask("1", 100, br) > 127, glyph_mask("I", 100, br) > 127
    assert one.shape == bar.shape and (one == bar).all()  # Mandatory's 1 is a bare bar
    # Its O is boxy: the straight left edge runs down three quarters of the height, where
    # DIN's wide stadium O curves away after half of it.
    boxy, round_ = glyph_mask("O", 100, br) > 127, glyph_mask("O", 100) > 127
    assert boxy[:, 2].mean() > 0.7 > 0.6 > round_[:, 2].mean()
    assert glyph_mask("A", 100, br).shape == glyph_mask("A", 100).shape  # the rest is DIN
    assert all(sample_font(np.random.default_rng(i)).variant != "br" for i in range(50))


def test_serifed_i_has_bars_at_both_ends() -> None:
    bare, serif = glyph_mask("I", 100) > 127, glyph_mask("I", 100, StrokeFont(serif_i=True)) > 127
    assert serif.shape[1] > 2 * bare.shape[1]
    assert serif[2].mean() > 0.9 and serif[-3].mean() > 0.9 and not serif[50, :3].any()
    assert render_glyph("A", 48, StrokeFont(serif_i=True)) is render_glyph("A", 48, StrokeFont())


def test_flag_sizes_run_from_a_stub_to_dins_flag_and_serif_widths_vary() -> None:
    din, stub = glyph_mask("1", 100) > 127, glyph_mask("1", 100, StrokeFont(flag=0.0)) > 127
    stem = din.shape[1] - 8  # a column inside the stem, right of every flag
    # DIN's flag reaches far left and well down; a stub's hardly leaves the cap line.
    assert stub.shape[1] < 0.75 * din.shape[1]
    flag_depth = [int(np.nonzero(m[:, 0])[0].max()) for m in (din, stub)]
    assert flag_depth[1] < 12 < 20 < flag_depth[0] and din[:, stem].all() and stub[:, -8].all()
    narrow, wide = (
        glyph_mask("I", 100, StrokeFont(serif_i=True, serif_w=w)).shape[1] for w in (0.26, 0.5)
    )
    assert wide > 1.5 * narrow
    # one cache entry for glyphs the options cannot change; no draw unless a range is asked
    assert render_glyph("A", 48, StrokeFont(flag=0.2, serif_w=0.5)) is render_glyph(
        "A", 48, StrokeFont()
    )
    assert sample_font(np.random.default_rng(3)) == sample_font(
        np.random.default_rng(3), flag=(1.0, 1.0), serif_w=(0.34, 0.34)
    )
    drawn = {sample_font(np.random.default_rng(i), flag=(0.0, 1.0)).flag for i in range(20)}
    assert len(drawn) > 10 and all(0.0 <= f <= 1.0 for f in drawn)


def test_narrow_w_is_about_as_wide_as_n_with_upright_sides_and_its_apex_below_the_cap_line() -> (
    None
):
    narrow = StrokeFont(narrow_w=True)
    wide, w, n = (
        glyph_mask(c, 100, f) > 127 for c, f in (("W", StrokeFont()), ("W", narrow), ("N", narrow))
    )
    assert w.shape[1] < 1.15 * n.shape[1] < 0.9 * wide.shape[1]
    assert w[:, 2:5].all() and w[:, -5:-2].all()  # upright sides, top to bottom
    mid = w[:, w.shape[1] // 2 - 3 : w.shape[1] // 2 + 4].any(axis=1)
    assert 15 < np.argmax(mid) < 45  # the apex stands well below the cap line
    assert render_glyph("N", 48, narrow) is render_glyph("N", 48, StrokeFont())
    assert sample_font(np.random.default_rng(3)) == sample_font(
        np.random.default_rng(3), narrow_w_p=0.0
    )


def test_open_four_leaves_a_gap_between_its_diagonal_and_stem_at_the_top() -> None:
    open_ = StrokeFont(open_four=True)
    closed, opened = glyph_mask("4", 100) > 127, glyph_mask("4", 100, open_) > 127

    def ink_runs(row: np.ndarray) -> int:
        return int(np.count_nonzero(np.diff(row.astype(np.int8)) == 1) + row[0])

    top = 12  # a row near the cap line: one run where the diagonal meets the stem
    assert ink_runs(closed[top]) == 1 and ink_runs(opened[top]) == 2
    assert render_glyph("A", 48, open_) is render_glyph("A", 48, StrokeFont())
    assert sample_font(np.random.default_rng(3)) == sample_font(
        np.random.default_rng(3), open_four_p=0.0
    )


def test_w_inner_thins_the_narrow_ws_v_and_four_top_shortens_the_open_fours_stem() -> None:
    heavy = glyph_mask("W", 100, StrokeFont(narrow_w=True)) > 127
    hair = glyph_mask("W", 100, StrokeFont(narrow_w=True, w_inner=0.4)) > 127
    row = 70  # below the apex: stems and the V's two strokes, thinner in `hair`
    assert heavy[:, 2:5].all() and hair[:, 2:5].all()  # the stems keep the face's width
    assert hair[row].sum() < 0.85 * heavy[row].sum()
    full = glyph_mask("4", 100, StrokeFont(open_four=True)) > 127
    short = glyph_mask("4", 100, StrokeFont(open_four=True, four_top=0.5)) > 127
    stem = full.shape[1] - 1 - int(np.argmax(full[-3, ::-1]))  # the stem's right edge
    stem -= 4
    assert full[5:, stem].all() and not short[:40, stem].any() and short[60:, stem].all()
    # no other glyph changes, and no draw unless a range is asked for
    assert render_glyph("4", 48, StrokeFont(w_inner=0.4)) is render_glyph("4", 48, StrokeFont())
    assert render_glyph("W", 48, StrokeFont(four_top=0.5)) is render_glyph("W", 48, StrokeFont())
    assert sample_font(np.random.default_rng(3)) == sample_font(
        np.random.default_rng(3), w_inner=(1.0, 1.0), four_top=(1.0, 1.0)
    )


def test_q_tail_shortens_the_qs_tail_to_a_stub_and_changes_no_other_glyph() -> None:
    long = glyph_mask("Q", 100, StrokeFont()) > 127
    stub = glyph_mask("Q", 100, StrokeFont(q_tail=0.0)) > 127
    bowl = glyph_mask("O", 100, StrokeFont()) > 127
    # DIN's tail reaches well right of the bowl and into its counter; the stub hardly does
    assert long.shape[1] > bowl.shape[1] + 8
    assert stub.shape[1] < long.shape[1] - 8
    counter = np.s_[62:72, bowl.shape[1] // 2 : bowl.shape[1] // 2 + 10]  # low, right of centre
    assert long[counter].any() and not stub[counter].any()
    assert stub.sum() > bowl.sum()  # still a Q: a tail across the corner
    assert render_glyph("O", 48, StrokeFont(q_tail=0.0)) is render_glyph("O", 48, StrokeFont())
    assert sample_font(np.random.default_rng(3)) == sample_font(
        np.random.default_rng(3), q_tail=(1.0, 1.0)
    )
    us_tails = {
        sample_font(np.random.default_rng(i), q_tail=US_SHARE.q_tail).q_tail for i in range(40)
    }
    assert min(us_tails) < 0.3 and max(us_tails) > 0.7


def test_deterministic_and_cached() -> None:
    a = sample_font(np.random.default_rng(9), fe_p=0.5)
    b = sample_font(np.random.default_rng(9), fe_p=0.5)
    assert a == b and hash(a) == hash(b)
    for ch in GLYPHS:
        assert np.array_equal(rasterise(ch, 48, a), rasterise(ch, 48, b))
        assert render_glyph(ch, 48, a) is render_glyph(ch, 48, b)  # one cache entry
    # options that cannot change a glyph share its cache entry
    assert render_glyph("H", 48, StrokeFont(variant="fe", round_ends=True)) is render_glyph(
        "H", 48, StrokeFont()
    )


@pytest.mark.parametrize(
    "option",
    [
        {"variant": "helvetica"},
        {"weight": 0.3},
        {"cond": 2.0},
        {"flag": 1.5},
        {"serif_w": 0.1},
        {"w_inner": 0.1},
        {"four_top": 0.2},
        {"q_tail": 1.5},
    ],
)
def test_faces_are_validated(option: dict) -> None:
    with pytest.raises(ValueError):
        StrokeFont(**option)


def test_plate_line_boxes_are_exact_ink_boxes() -> None:
    """Through the renderers' cached-glyph path, every character box is tight on its ink."""
    rng = np.random.default_rng(4)
    for _ in range(6):
        font = plate_font(rng, StrokeShare(1.0, fe_p=0.5))
        assert isinstance(font, StrokeFont)
        assert glyph(font, "8").height == REF_CAP
        cv = Canvas(Image.new("RGB", (520, 110), (255, 255, 255)))
        text = "AB-108 MZ"
        cv.text_line(list(text), font, 20, 500, 20, float(rng.uniform(60, 75)), (0, 0, 0),
                     squeeze=float(rng.uniform(0.8, 1.05)), mono=bool(rng.random() < 0.5))  # fmt: skip
        assert "".join(cv.chars) == text.replace("-", "").replace(" ", "")
        ink = np.asarray(cv.img.convert("L")) < 250  # any ink, antialiased edges included
        for x1, y1, x2, y2 in cv.boxes:
            box = ink[y1:y2, x1:x2]
            assert box[0].any() and box[-1].any() and box[:, 0].any() and box[:, -1].any()
        covered = np.zeros_like(ink)
        for x1, y1, x2, y2 in cv.boxes:
            covered[y1:y2, x1:x2] = True
        stray = ink & ~covered
        assert stray.sum() < 0.2 * ink.sum()  # only the hyphen lies outside the boxes
