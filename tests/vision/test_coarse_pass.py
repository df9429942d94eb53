"""A frame with no sure box gets a second, coarser detector pass that adds only new plates."""

import numpy as np

from lpr.detector import COARSE_IF_BELOW, PlateDetector
from lpr.types import Detection


class ScriptedDetector(PlateDetector):
    """Returns given detections per input size and records which sizes it ran."""

    def __init__(self, by_side, **kwargs):
        super().__init__(**kwargs)
        self.by_side, self.ran = by_side, []

    def _detect(self, image, long_side):
        self.ran.append(long_side)
        return list(self.by_side.get(long_side, []))


FRAME = np.zeros((720, 1280, 3), np.uint8)
NEAR = Detection((100, 300, 900, 560), 0.6)  # a plate close to the camera, seen coarsely
WEAK = Detection((1000, 400, 1060, 430), 0.2)


def test_no_sure_box_runs_the_coarse_pass_and_keeps_what_it_adds():
    det = ScriptedDetector({640: [WEAK], 320: [NEAR, Detection((1001, 401, 1061, 431), 0.3)]})
    found = det.detect(FRAME)
    assert det.ran == [640, 320]
    # the coarse pass's box on the plate the first pass found is not added twice
    assert found == [NEAR, WEAK]


def test_a_sure_box_skips_the_coarse_pass():
    sure = Detection(WEAK.box, COARSE_IF_BELOW)
    det = ScriptedDetector({640: [sure], 320: [NEAR]})
    assert det.detect(FRAME) == [sure] and det.ran == [640]


def test_small_frames_and_coarse_side_0_have_one_pass():
    det = ScriptedDetector({640: [], 320: [NEAR]}, coarse_side=0)
    assert det.detect(FRAME) == [] and det.ran == [640]
    small = ScriptedDetector({640: [], 320: [NEAR]})
    assert small.detect(np.zeros((240, 320, 3), np.uint8)) == [] and small.ran == [640]


def test_a_coarse_box_on_part_of_a_found_plate_is_dropped_one_holding_it_kept():
    plate = Detection((600, 360, 890, 470), 0.45)
    part = Detection((615, 390, 750, 460), 0.3)  # IoU with the plate < 0.5, but inside it
    det = ScriptedDetector({640: [plate], 320: [part]})
    assert det.detect(FRAME) == [plate]
    close = Detection((80, 200, 1200, 700), 0.7)  # a close plate the first pass saw a part of
    det = ScriptedDetector({640: [part], 320: [close]})
    assert det.detect(FRAME) == [close, part]
