"""Night frames get their local contrast raised before detection; lit frames are left alone."""

import cv2
import numpy as np

from lpr.detector import PlateDetector
from lpr.preprocess import DARK_BELOW, lift_dark
from lpr.types import Detection


def night_frame(level: float) -> np.ndarray:
    """A 720p frame of mean grey about `level` holding a faint light plate with dark text."""
    frame = np.full((720, 1280, 3), level, np.uint8)
    plate = (slice(400, 440), slice(600, 760))
    frame[plate] = min(255, level + 12)
    cv2.putText(frame, "AB123", (610, 432), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (level,) * 3, 2)
    return frame


def test_a_lit_frame_is_returned_as_it_is():
    frame = night_frame(DARK_BELOW + 20)
    assert lift_dark(frame) is frame


def test_a_dark_frame_gets_more_contrast_where_the_plate_is():
    frame = night_frame(12)
    lifted = lift_dark(frame)
    assert lifted.shape == frame.shape and lifted.dtype == np.uint8
    plate = (slice(400, 440), slice(600, 760))
    assert lifted[plate].std() > 1.1 * frame[plate].std()
    assert lifted.mean() > frame.mean()


def test_dark_below_0_turns_it_off():
    frame = night_frame(12)
    assert lift_dark(frame, 0) is frame


class RecordingDetector(PlateDetector):
    def __init__(self, **kwargs):
        super().__init__(coarse_side=0, fine_side=0, **kwargs)
        self.seen = []

    def _detect(self, image, long_side):
        self.seen.append(image)
        return [Detection((600, 400, 760, 440), 0.9)]


def test_the_detector_sees_the_lifted_frame_and_boxes_stay_in_frame_coordinates():
    frame = night_frame(12)
    det = RecordingDetector()
    assert det.detect(frame) == [Detection((600, 400, 760, 440), 0.9)]
    assert np.array_equal(det.seen[0], lift_dark(frame))
    off = RecordingDetector(dark_below=0)
    off.detect(frame)
    assert off.seen[0] is frame
