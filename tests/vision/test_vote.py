"""Unsure reads are voted on by reads of shifted boxes; sure and rejected ones are left alone."""

from dataclasses import replace

import numpy as np
import pytest

from lpr.inference import Pipeline, load_reader
from lpr.preprocess import crop_plate, with_margin
from lpr.types import Detection, PlateRead, ReadPolicy
from lpr.vote import SHIFTS, SURE_BOX, TIE_SHIFTS, UNSURE_BELOW, VOTE_FROM, shift, steady, vote
from tests.vision.test_refine import FixedBoxes
from training.synth.scenes import clean_frame

POLICY = ReadPolicy(min_confidence=0.2, min_chars=4)


def read(text: str, confidence: float = 0.5, least_sure: float = 0.5) -> PlateRead:
    return PlateRead(text, confidence, [least_sure] * len(text))


class ByBrightness:
    """A reader whose read depends on where the box falls: a crop that is all light
    reads as `light`, any other as `dark`, so moving the box can change the read."""

    def __init__(self, dark: PlateRead, light: PlateRead):
        self.dark, self.light = dark, light
        self.crops_read = 0

    def read(self, crops):
        self.crops_read += len(crops)
        return [self.light if crop.mean() > 250 else self.dark for crop in crops]


class Scripted:
    """A reader that gives, call by call, the reads it was scripted with."""

    def __init__(self, *calls: list[PlateRead]):
        self.calls = list(calls)
        self.batches: list[int] = []

    def read(self, crops):
        reads = self.calls.pop(0)
        assert len(reads) == len(crops)
        self.batches.append(len(crops))
        return reads


BOX = (100.0, 100.0, 300.0, 150.0)


def lit_crop_of(box) -> np.ndarray:
    """A dark image where only the rows that `crop_plate` cuts around `box` are light."""
    image = np.zeros((240, 400, 3), np.uint8)
    _, y1, _, y2 = with_margin(box)
    image[int(y1) : int(np.ceil(y2))] = 255
    return image


def test_the_text_most_reads_give_wins_and_ties_go_to_the_surer_text():
    assert vote([read("ABC123"), read("ABD123"), read("ABD123")]).text == "ABD123"
    first, runner = read("ABC123", 0.6), read("ABD123", 0.3)
    assert vote([first, runner]) is first  # one each: the larger summed confidence
    assert vote([read("ABC123", 0.3), read("ABD123", 0.6)]).text == "ABD123"
    sure = read("XYZ789", 0.4)
    assert vote([read("ABD123", 0.2), sure, read("XYZ789", 0.7)]).confidence == 0.7


def test_an_unsure_read_that_flips_when_the_box_moves_takes_the_majority():
    image = lit_crop_of(BOX)  # the box reads "light"; moved up or down, it reads "dark"
    reader = ByBrightness(dark=read("DKL1235"), light=read("OKL1235"))
    (first,) = reader.read([crop_plate(image, BOX)])
    assert first.text == "OKL1235"
    (steadied,) = steady(reader, image, [BOX], [first], POLICY)
    assert steadied.text == "DKL1235"
    # the box against its two moved views, 1 to 2: two more views settle it
    assert reader.crops_read == 1 + len(SHIFTS) + len(TIE_SHIFTS)


def test_a_read_that_holds_when_the_box_moves_is_kept_at_its_surest():
    image = np.full((240, 400, 3), 255, np.uint8)  # light wherever the box goes
    reader = ByBrightness(dark=read("DKL1235"), light=read("OKL1235", confidence=0.5))
    first = read("OKL1235", confidence=0.3)
    (steadied,) = steady(reader, image, [BOX], [first], POLICY)
    assert (steadied.text, steadied.confidence) == ("OKL1235", 0.5)
    assert reader.crops_read == len(SHIFTS)


@pytest.mark.parametrize(
    "first",
    [
        read("OKL1235", confidence=0.9, least_sure=UNSURE_BELOW),  # every character sure
        read("OK", confidence=0.5),  # rejected by the policy: too short
        read("OKL1235", confidence=0.1),  # rejected by the policy: too unsure
    ],
)
def test_sure_and_rejected_reads_are_not_read_again(first):
    reader = ByBrightness(dark=read("DKL1235"), light=read("OKL1235"))
    (steadied,) = steady(reader, lit_crop_of(BOX), [BOX], [first], POLICY)
    assert steadied is first and reader.crops_read == 0


def test_a_box_known_to_hold_a_plate_is_voted_on_even_when_its_read_is_unsure():
    image = lit_crop_of(BOX)  # moved up or down, the box reads the surer "dark"
    reader = ByBrightness(dark=read("DKL1235", confidence=0.6), light=read("OKL1235"))
    first = read("OKL1235", confidence=0.05)  # below the policy's 0.2
    (kept,) = steady(reader, image, [BOX], [first], POLICY, scores=[SURE_BOX - 0.1])
    assert kept is first and reader.crops_read == 0
    (steadied,) = steady(reader, image, [BOX], [first], POLICY, scores=[1.0])
    assert steadied.text == "DKL1235" and POLICY.accepts(steadied)
    (short,) = steady(reader, image, [BOX], [read("OK", 0.05)], POLICY, scores=[1.0])
    assert short.text == "OK"  # still too short to be a plate: not read again


def test_a_read_a_pattern_moved_to_an_unsure_candidate_is_still_voted_on():
    # The reader's top read passes the policy; the pattern hint took a runner-up
    # that does not. Moved boxes read the runner-up surely, so it is kept.
    image = lit_crop_of(BOX)
    reader = ByBrightness(dark=read("DK7J8G", confidence=0.75), light=read("DK7J8G", 0.12))
    hinted = PlateRead(
        "DK7J8G", 0.12, [0.9, 0.9, 0.9, 0.9, 0.13, 0.9], [("DK7JBG", 0.88), ("DK7J8G", 0.12)]
    )
    (steadied,) = steady(reader, image, [BOX], [hinted], POLICY)
    assert (steadied.text, steadied.confidence) == ("DK7J8G", 0.75)
    hopeless = PlateRead("DK7J8G", 0.01, [0.01] * 6, [("DK7JBG", 0.1), ("DK7J8G", 0.01)])
    (kept,) = steady(reader, image, [BOX], [hopeless], POLICY)
    assert kept is hopeless  # the top read too was below the policy: not read again


class ScoredBox:
    """A detector that finds BOX with the given score."""

    def __init__(self, score: float):
        self.score = score

    def detect(self, image):
        return [Detection(BOX, self.score)]


@pytest.mark.parametrize("score, found", [(SURE_BOX, True), (SURE_BOX - 0.05, False)])
def test_the_pipeline_keeps_an_unsure_read_of_a_sure_box_that_the_vote_lifts(score, found):
    reader = ByBrightness(dark=read("DKL1235", confidence=0.6), light=read("OKL1235", 0.05))
    pipeline = Pipeline(ScoredBox(score), reader, POLICY, refine=False)
    texts = [r.read.text for r in pipeline.process(lit_crop_of(BOX))]
    assert texts == (["DKL1235"] if found else [])


def test_shift_moves_the_box_by_fractions_of_its_size():
    assert shift((10, 20, 110, 60), 0.1, -0.25) == (20, 10, 120, 50)


def test_the_pipeline_still_reads_known_plates_with_the_vote():
    reader = load_reader(threads=1)
    right = {True: 0, False: 0}
    for seed, fmt in enumerate(["us_ca", "br_grey", "fr_siv", "us_tx", "ma", "br_mercosur"]):
        frame, plate, box = clean_frame(np.random.default_rng(300 + seed), fmt)
        for voting in (True, False):
            pipeline = Pipeline(FixedBoxes([box]), reader, POLICY, vote=voting)
            right[voting] += [r.read.text for r in pipeline.process(frame)] == [plate.text]
    assert right[False] >= 5
    assert right[True] >= right[False]


@pytest.mark.parametrize("score, found", [(0.9, True), (0.3, False)])
def test_the_pipeline_reports_a_word_only_from_a_box_the_detector_is_sure_of(score, found):
    word = read("RESIDENT", confidence=0.95, least_sure=0.95)
    pipeline = Pipeline(ScoredBox(score), ByBrightness(word, word), POLICY, refine=False)
    assert [r.read.text for r in pipeline.process(lit_crop_of(BOX))] == (
        ["RESIDENT"] if found else []
    )


def test_three_views_that_read_three_texts_are_outvoted_by_two_more():
    image = np.full((240, 400, 3), 128, np.uint8)
    first = read("6041257", 0.5)
    more = [read("AU41257", 0.3), read("AU41257", 0.25)]
    reader = Scripted([read("6O41257", 0.45), read("AO41257", 0.4)], more)
    (steadied,) = steady(reader, image, [BOX], [first], POLICY)
    assert (steadied.text, steadied.confidence) == ("AU41257", 0.3)
    assert reader.batches == [len(SHIFTS), len(TIE_SHIFTS)]


def test_a_two_to_one_split_is_decided_by_two_more_views():
    image = np.full((240, 400, 3), 128, np.uint8)
    first = read("TIG399", 0.6)  # the box and one moved view against the other view
    reader = Scripted(
        [read("TIG399", 0.5), read("TVG399", 0.55)], [read("TVG399", 0.4), read("TVG399", 0.3)]
    )
    (steadied,) = steady(reader, image, [BOX], [first], POLICY)
    assert (steadied.text, steadied.confidence) == ("TVG399", 0.55)
    assert reader.batches == [len(SHIFTS), len(TIE_SHIFTS)]


def test_more_views_do_not_trade_a_text_that_fits_a_format_for_one_that_fits_none():
    image = np.full((240, 400, 3), 128, np.uint8)
    first = read("DK7JBG", 0.6)
    fits = replace(read("DK7J8G", 0.3), format="us_ab1c2d")  # the format hint's choice
    reader = Scripted([fits, fits], [read("DK7JBG", 0.5), read("DK7JBG", 0.4)])
    (steadied,) = steady(reader, image, [BOX], [first], POLICY)
    assert steadied is fits  # 3 of 5 read DK7JBG, but it fits no plate format


def test_views_that_agree_need_no_more_reads():
    reader = Scripted([read("AU41257", 0.45), read("AU41257", 0.4)])
    (steadied,) = steady(
        reader, np.zeros((240, 400, 3), np.uint8), [BOX], [read("AU41257")], POLICY
    )
    assert steadied.text == "AU41257" and reader.batches == [len(SHIFTS)]


def test_more_views_do_not_drop_a_plate_the_first_three_kept():
    first = read("6041257", 0.5)
    unsure = [read("AU41257", 0.1)] * len(TIE_SHIFTS)  # a majority, under the policy's 0.2
    reader = Scripted([read("6O41257", 0.45), read("AO41257", 0.4)], unsure)
    (steadied,) = steady(reader, np.zeros((240, 400, 3), np.uint8), [BOX], [first], POLICY)
    assert steadied is first  # the surest of three reads that tie


def test_a_box_the_detector_scores_under_vote_from_is_not_voted_on():
    image = lit_crop_of(BOX)  # moved up or down, the box reads "dark"
    reader = ByBrightness(dark=read("DKL1235"), light=read("OKL1235"))
    first = read("OKL1235")
    (kept,) = steady(reader, image, [BOX], [first], POLICY, scores=[VOTE_FROM - 0.01])
    assert kept is first and reader.crops_read == 0
    (steadied,) = steady(reader, image, [BOX], [first], POLICY, scores=[VOTE_FROM])
    assert steadied.text == "DKL1235"
