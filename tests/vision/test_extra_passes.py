"""A frame with no sure box gets a coarser, a finer and a grey detector pass that add only new
plates."""

import numpy as np

from lpr.detector import (
    COARSE_IF_BELOW,
    FINE_IF_BELOW,
    FINE_LONG_SIDE,
    FINE_MIN_SCORE,
    PlateDetector,
)
from lpr.types import Detection


class ScriptedDetector(PlateDetector):
    """Returns given detections per input size ("grey" for the grey pass) and records
    which passes it ran."""

    def __init__(self, by_side, **kwargs):
        super().__init__(**kwargs)
        self.by_side, self.ran, self.frame = by_side, [], None

    def _detect(self, image, long_side):
        self.frame = image if self.frame is None else self.frame
        if image is not self.frame:  # only the grey pass looks at another image
            assert (image[..., 0] == image[..., 1]).all() and long_side == self.long_side
            long_side = "grey"
        self.ran.append(long_side)
        return list(self.by_side.get(long_side, []))


FRAME = np.zeros((720, 1280, 3), np.uint8)
FINE = min(FINE_LONG_SIDE, 1280)  # the fine pass on FRAME: no finer than the frame
NEAR = Detection((100, 300, 900, 560), 0.6)  # a plate close to the camera, seen coarsely
WEAK = Detection((1000, 400, 1060, 430), 0.2)
FAR = Detection((20, 620, 70, 640), 0.4)  # a plate far away, only seen finely


def test_no_sure_box_runs_the_other_passes_and_keeps_what_they_add():
    again = Detection((1001, 401, 1061, 431), 0.3)  # the first pass's plate, seen again
    near = Detection(NEAR.box, 0.3)
    det = ScriptedDetector({640: [WEAK], 320: [near, again], FINE: [FAR, again]})
    found = det.detect(FRAME)
    assert det.ran == [640, 320, FINE]
    # Left to right, nothing added twice; the plate the fine pass saw surer is its box.
    assert found == [FAR, near, again]


def test_a_weak_box_holding_a_surer_fine_box_gives_way_to_it():
    wide = Detection((700, 120, 885, 157), 0.3)  # a far plate boxed with its frame
    plate = Detection((731, 123, 804, 159), 0.65)  # the same plate, seen at the frame's size
    det = ScriptedDetector({640: [wide], FINE: [plate]}, coarse_side=0)
    assert det.detect(FRAME) == [plate]
    weaker = Detection(plate.box, 0.25)
    assert FINE_MIN_SCORE <= weaker.confidence < wide.confidence < FINE_IF_BELOW
    det = ScriptedDetector({640: [wide], FINE: [weaker]}, coarse_side=0)
    assert det.detect(FRAME) == [wide]  # a fine box no surer is that plate again


def test_a_sure_box_skips_the_other_passes():
    sure = Detection(WEAK.box, COARSE_IF_BELOW)
    det = ScriptedDetector({640: [sure], 320: [NEAR], FINE: [FAR]})
    assert det.detect(FRAME) == [sure] and det.ran == [640]


def test_a_frame_smaller_than_the_first_pass_gets_a_coarse_look_for_sure_close_plates():
    small = np.zeros((471, 587, 3), np.uint8)  # enlarged for the 640 pass
    sure = Detection((435, 207, 457, 221), COARSE_IF_BELOW)
    close = Detection((22, 125, 491, 264), 0.77)  # a close-up plate, boxed at 320 only
    weak = Detection((192, 134, 288, 158), COARSE_IF_BELOW - 0.01)
    det = ScriptedDetector({640: [sure], 320: [close, weak]})
    assert det.detect(small) == [close, sure] and det.ran == [640, 320]
    det = ScriptedDetector({640: [sure], 320: [close, weak]})
    assert det.detect(FRAME) == [sure] and det.ran == [640]  # a frame the pass shrank: no look


def test_a_fairly_sure_box_skips_only_the_fine_pass():
    fair = Detection(WEAK.box, FINE_IF_BELOW)
    det = ScriptedDetector({640: [fair], FINE: [FAR]})
    assert det.detect(FRAME) == [fair] and det.ran == [640, 320]
    # ... and so does a fairly sure box the coarse pass found
    det = ScriptedDetector({640: [WEAK], 320: [Detection(NEAR.box, FINE_IF_BELOW)], FINE: [FAR]})
    assert len(det.detect(FRAME)) == 2 and det.ran == [640, 320]


def test_weak_fine_boxes_are_dropped():
    junk = Detection((900, 100, 940, 115), FINE_MIN_SCORE - 0.01)
    det = ScriptedDetector({FINE: [junk, FAR]})
    assert det.detect(FRAME) == [FAR]


def test_the_fine_pass_is_no_finer_than_the_frame_and_at_least_a_quarter_finer_than_640():
    for width, runs in ((1920, FINE), (1280, 1280), (900, 900), (800, 800), (780, None)):
        det = ScriptedDetector({}, coarse_side=0, grey_pass=False)
        det.detect(np.zeros((width * 9 // 16, width, 3), np.uint8))
        assert det.ran == [640] + ([runs] if runs else []), width


def test_small_frames_and_sides_0_have_one_pass():
    passes = {640: [], 320: [NEAR], FINE: [FAR]}
    det = ScriptedDetector(passes, coarse_side=0, fine_side=0, grey_pass=False)
    assert det.detect(FRAME) == [] and det.ran == [640]
    small = ScriptedDetector(passes, grey_pass=False)
    assert small.detect(np.zeros((240, 320, 3), np.uint8)) == [] and small.ran == [640]


def test_a_frame_still_unsure_gets_a_last_look_in_grey():
    # A yellow plate the detector doubts in colour and is surer of in grey (`BSE5579`).
    colour = Detection((135, 164, 248, 190), 0.1)
    grey = Detection((137, 163, 249, 192), 0.41)
    junk = Detection((400, 100, 440, 115), FINE_MIN_SCORE - 0.01)
    det = ScriptedDetector({640: [colour], "grey": [grey, junk]})
    assert det.detect(FRAME) == [grey] and det.ran == [640, 320, FINE, "grey"]
    det = ScriptedDetector({640: [colour], FINE: [FAR], "grey": [grey]})
    assert det.detect(FRAME) == [FAR, colour] and det.ran == [640, 320, FINE]  # sure by then
    det = ScriptedDetector({640: [colour], "grey": [grey]}, grey_pass=False)
    assert det.detect(FRAME) == [colour] and det.ran == [640, 320, FINE]


def test_a_coarse_box_on_part_of_a_found_plate_is_dropped_one_holding_it_kept():
    plate = Detection((600, 360, 890, 470), 0.45)
    part = Detection((615, 390, 750, 460), 0.3)  # IoU with the plate < 0.5, but inside it
    det = ScriptedDetector({640: [plate], 320: [part]}, fine_side=0)
    assert det.detect(FRAME) == [plate]
    close = Detection((80, 200, 1200, 700), 0.7)  # a close plate the first pass saw a part of
    det = ScriptedDetector({640: [part], 320: [close]}, fine_side=0)
    assert det.detect(FRAME) == [close, part]


def test_a_text_line_along_the_top_edge_is_no_plate_and_does_not_end_the_search():
    # A camera's date line, boxed surely at the top-left corner (real-dev's `201404`).
    overlay = Detection((4, 3, 52, 16), 0.9)
    near_top = Detection((859, 8, 942, 49), 0.7)  # a plate 8 px from the top, 41 px tall
    det = ScriptedDetector({640: [overlay, WEAK], FINE: [FAR]})
    found = det.detect(FRAME)
    assert overlay not in found and WEAK in found
    assert det.ran == [640, 320, FINE]  # the overlay's score did not make the frame sure
    assert ScriptedDetector({640: [near_top]}).detect(FRAME) == [near_top]
    assert ScriptedDetector({640: [overlay]}, overlay_height=0).detect(FRAME) == [overlay]
