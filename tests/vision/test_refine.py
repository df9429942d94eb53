"""A box around a whole plate recess is cut down to the plate and read again."""

import numpy as np
import pytest

from lpr.evaluate import iou
from lpr.inference import Pipeline, load_reader
from lpr.preprocess import crop_plate
from lpr.refine import REFINE_BELOW, distinct, text_box
from lpr.types import Detection, PlateRead, PlateResult, ReadPolicy
from training.synth.scenes import clean_frame

# Every read kept: these tests look at boxes and texts, not at which reads count as plates.
ANY_READ = ReadPolicy(min_confidence=0.0, min_chars=1, max_chars=0)


class FixedBoxes:
    """A detector that returns the boxes it is given: the refinement's input, controlled."""

    def __init__(self, boxes):
        self.boxes = boxes

    def detect(self, image):
        return [Detection(tuple(b), 0.5) for b in self.boxes]


@pytest.fixture(scope="module")
def reader():
    return load_reader(threads=1)


def test_text_box_maps_the_span_back_to_the_image():
    # a 100 px box has a 112 px crop starting 6 px left of it; characters over its
    # middle half (28 px .. 84 px of the crop) make a plate of 56 / 0.8 = 70 px
    x1, y1, x2, y2 = text_box((100, 50, 200, 80), (0.25, 0.75), share=0.8)
    assert (y1, y2) == (50, 80)
    assert x1 == pytest.approx(94 + 56 - 35) and x2 == pytest.approx(94 + 56 + 35)


@pytest.mark.parametrize("seed,fmt", [(3, "us_ny"), (4, "us_ca"), (5, "br_mercosur")])
def test_a_recess_wide_box_is_refined_to_the_plate(reader, seed, fmt):
    frame, plate, box = clean_frame(np.random.default_rng(seed), fmt, plate_width=110)
    x1, y1, x2, y2 = box
    w = x2 - x1
    recess = (x1 - 0.9 * w, y1 - 4, x2 + 0.9 * w, y2 + 4)  # 2.8 plate widths
    first = reader.read([crop_plate(frame, recess)])[0]
    assert first.text_span and first.text_span[1] - first.text_span[0] < REFINE_BELOW

    refined = Pipeline(FixedBoxes([recess]), reader, ANY_READ).process(frame)
    assert len(refined) == 1
    assert iou(refined[0].box, box) > 0.5 > iou(recess, box)
    assert refined[0].read.text == plate.text

    unrefined = Pipeline(FixedBoxes([recess]), reader, ANY_READ, refine=False).process(frame)
    assert unrefined[0].box == recess


def test_a_tight_box_is_left_alone(reader):
    frame, _, box = clean_frame(np.random.default_rng(6), "fr_siv", plate_width=200)
    result = Pipeline(FixedBoxes([box]), reader, ANY_READ).process(frame)
    assert result[0].box == tuple(box)


def test_a_plate_at_the_frame_edge_is_refined_inside_the_frame(reader):
    """Text at the frame's right edge would put the cut-down box partly outside it."""
    frame, plate, box = clean_frame(np.random.default_rng(7), "us_ca", plate_width=110)
    x1, y1, x2, y2 = (int(v) for v in box)
    edge = np.ascontiguousarray(frame[:, : x2 - 20])  # the frame ends inside the plate
    h, w = edge.shape[:2]
    recess = (x1 - 2.0 * (x2 - x1), y1 - 4, w, y2 + 4)
    results = Pipeline(FixedBoxes([recess]), reader, ANY_READ).process(edge)
    for r in results:
        assert 0 <= r.box[0] < r.box[2] <= w and 0 <= r.box[1] < r.box[3] <= h


def test_the_recognizer_service_refines_inside_the_crop_it_is_sent(reader):
    """The service path (detector crop -> recognizer) reads a recess-wide crop as lpr scan does."""
    from datetime import UTC, datetime

    from services.recognizer.worker import RecognizerWorker
    from shared.broker import Delivery
    from shared.images import encode_jpeg
    from shared.messages import CropMeta, PlateReadMessage, meta_headers

    frame, plate, box = clean_frame(np.random.default_rng(4), "us_ca", plate_width=110)
    x1, y1, x2, y2 = box
    w = x2 - x1
    recess = tuple(int(v) for v in (x1 - 0.9 * w, y1 - 4, x2 + 0.9 * w, y2 + 4))
    crop = crop_plate(frame, recess)  # what the detector service publishes
    assert reader.read([crop])[0].text != plate.text

    meta = CropMeta(
        camera_id="gate-1",
        frame_id="f1",
        plate_index=0,
        captured_at=datetime(2026, 1, 1, tzinfo=UTC),
        box=recess,
        detector_confidence=0.5,
        detector_version="det",
        latency_ms={},
    )
    delivery = Delivery(encode_jpeg(crop), meta_headers(meta), "gate-1", "lpr.crops", False)
    (out,) = RecognizerWorker(reader).handle(delivery)
    msg = PlateReadMessage.model_validate_json(out.body)
    assert msg.plate_text == plate.text
    # the published box is the plate's, in the frame, as `lpr scan` reports it
    (scanned,) = Pipeline(FixedBoxes([recess]), reader, ANY_READ).process(frame)
    assert iou(msg.box, box) > 0.5 > iou(recess, box)
    assert msg.box == pytest.approx(scanned.box, abs=2.0)


def test_only_narrow_reads_of_a_few_characters_are_read_again():
    from lpr.refine import is_narrow
    from lpr.types import PlateRead

    def read(text, span):
        return PlateRead(text, 0.9, [0.9] * len(text), text_span=span)

    assert is_narrow(read("606", (0.45, 0.62)))
    assert not is_narrow(read("6", (0.45, 0.5)))  # an emblem or a bolt: not worth a re-read
    assert not is_narrow(read("AB123CD", (0.15, 0.85)))  # the box fits the plate
    assert not is_narrow(read("", None))


def _result(box, text, confidence):
    return PlateResult(box, 0.5, PlateRead(text, confidence, [confidence] * len(text)))


def test_one_result_per_plate_keeps_the_surer_of_nested_or_overlapping_boxes():
    plate = _result((100, 100, 400, 180), "PVX0095", 0.99)
    city_line = _result((200, 105, 320, 130), "G0G0IANIA", 0.54)  # inside the plate's box
    recut = _result((110, 102, 405, 178), "PVX0O95", 0.4)  # the same plate, boxed again
    other_car = _result((600, 100, 700, 130), "PJO5897", 0.3)
    kept = distinct([city_line, other_car, recut, plate])
    assert sorted(r.read.text for r in kept) == ["PJO5897", "PVX0095"]
    # a whole boot lid read as junk less surely than the plate it holds gives way to it
    lid = _result((0, 0, 800, 400), "WHHW", 0.25)
    assert [r.read.text for r in distinct([lid, plate])] == ["PVX0095"]


def test_two_boxes_reading_a_plate_alike_report_the_box_the_detector_is_surer_of():
    # a wide weak box cut down to the plate keeps the wide box's height; a tighter box
    # the detector scores higher reads the same text a hair less surely
    cut_down = PlateResult((602, 108, 676, 166), 0.15, PlateRead("MJ3R1V", 0.83, [0.97] * 6))
    tight = PlateResult((603, 124, 677, 158), 0.43, PlateRead("MJ3R1V", 0.82, [0.97] * 6))
    (kept,) = distinct([cut_down, tight])
    assert kept.box == tight.box and kept.detector_confidence == 0.43
    assert kept.read.confidence == 0.83  # the surer read stands
    # reads that differ: the surer read wins with its own box, as before
    other = PlateResult((603, 124, 677, 158), 0.43, PlateRead("MJ3R1Y", 0.5, [0.9] * 6))
    (kept,) = distinct([cut_down, other])
    assert kept.box == cut_down.box and kept.read.text == "MJ3R1V"
