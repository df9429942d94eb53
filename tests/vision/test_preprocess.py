"""crop_plate: the margin the reader was trained with, also at the image's edge; deskew;
the detector's input blob."""

import cv2
import numpy as np
import pytest

from lpr.preprocess import MARGIN_X, MARGIN_Y, crop_plate, skew_angle, to_blob


def test_a_plate_filling_the_image_gets_its_margin_by_repeating_the_border() -> None:
    image = np.full((50, 200, 3), 90, np.uint8)
    image[:, :3] = 10  # a dark first column, as a character touching the edge
    crop = crop_plate(image, (0, 0, 200, 50), deskew=False)
    assert crop.shape[:2] == (50 + 2 * round(MARGIN_Y * 50), 200 + 2 * round(MARGIN_X * 200))
    assert (crop[:, 0] == 10).all()  # the border is repeated, not filled with a colour


def test_a_plate_inside_the_frame_is_cut_with_the_frames_own_pixels() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (200, 400, 3), dtype=np.uint8)
    crop = crop_plate(image, (100, 80, 200, 110), deskew=False)
    y1, x1 = int(np.floor(80 - MARGIN_Y * 30)), int(np.floor(100 - MARGIN_X * 100))
    assert (crop == image[y1 : y1 + crop.shape[0], x1 : x1 + crop.shape[1]]).all()


def test_a_box_outside_the_image_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside"):
        crop_plate(np.zeros((50, 50, 3), np.uint8), (60, 60, 90, 70))


@pytest.mark.parametrize("tilt", [-8, -4, 0, 6, 10])
def test_skew_angle_is_the_rotation_that_levels_a_tilted_line_of_text(tilt) -> None:
    text = np.full((60, 240), 255, np.uint8)
    cv2.putText(text, "AB123CD", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    tilted = cv2.warpAffine(
        text, cv2.getRotationMatrix2D((120, 30), tilt, 1.0), (240, 60), borderValue=255
    )
    assert skew_angle(tilted) == -tilt


def test_the_detector_blob_is_opencvs_to_the_bit() -> None:
    """`to_blob` replaced `cv2.dnn.blobFromImage` for speed; the models must see the same."""
    image = np.random.default_rng(1).integers(0, 256, (384, 640, 3), dtype=np.uint8)
    image[0, :256, 0] = np.arange(256)  # every byte value, in the channel that moves
    blob = to_blob(image)
    assert blob.dtype == np.float32 and blob.shape == (1, 3, 384, 640)
    np.testing.assert_array_equal(blob, cv2.dnn.blobFromImage(image, 1 / 255.0, swapRB=True))
