from lpr.evaluate import edit_distance, iou, match, score
from lpr.labels import LabelledImage, LabelledPlate


def item(name, plates, region="eu", kind="scene"):
    return LabelledImage(
        path=None,
        image=name,
        region=region,
        kind=kind,
        plates=[LabelledPlate(t, b, s) for t, b, s in plates],
    )


def test_iou_and_edit_distance():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert abs(iou((0, 0, 10, 10), (5, 0, 15, 10)) - 1 / 3) < 1e-9
    assert edit_distance("ABC123", "A8C123") == 1
    assert edit_distance("", "AB") == 2


def test_match_is_one_to_one_at_iou_half():
    truth = [LabelledPlate("A", (0, 0, 10, 10)), LabelledPlate("B", (100, 0, 110, 10))]
    pred = [{"box": (1, 0, 11, 10)}, {"box": (0, 0, 10, 10)}, {"box": (50, 0, 60, 10)}]
    assert match(truth, pred) == [(0, 1)]


def test_score_counts_detection_and_reading_per_region():
    items = [
        item("a.jpg", [("AB123CD", (0, 0, 100, 20), False)]),
        item("b.jpg", [("XY999", (0, 0, 100, 20), False)], region="us"),
        item("c.jpg", [("SAMPLE", (0, 0, 100, 20), True)], region="us"),
    ]
    preds = {
        "a.jpg": [
            {"text": "AB123CD", "confidence": 0.9, "box": (2, 1, 101, 20)},
            {"text": "SIGN", "confidence": 0.5, "box": (300, 300, 400, 320)},
        ],
        "b.jpg": [{"text": "XY998", "confidence": 0.8, "box": (0, 0, 100, 20)}],
        "c.jpg": [],
    }
    t = score(items, preds)
    assert (t["all"].tp, t["all"].fp, t["all"].fn) == (2, 1, 1)
    assert t["all"].ocr_total == 2  # the suspect label is not scored for reading
    assert t["eu"].row()["exact"] == 1.0
    assert t["us"].row()["exact"] == 0.0
    assert abs(t["us"].row()["char_acc"] - 0.8) < 1e-9
    assert t["us"].row()["recall"] == 0.5
    # every plate that is not read right, and every read of no plate, is listed
    errors = {(e["image"], e["kind"], e["read"]) for e in t["all"].errors}
    assert errors == {("a.jpg", "false_positive", "SIGN"), ("b.jpg", "misread", "XY998")}


def test_plate_crops_are_scored_for_reading_only():
    items = [item("p.png", [("ABC123", (0, 0, 50, 25), False)], region="us", kind="plate_crop")]
    t = score(items, {"p.png": [{"text": "ABC123", "confidence": 0.7, "box": (0, 0, 1, 1)}]})
    assert t["all"].row()["exact"] == 1.0
    assert t["all"].tp + t["all"].fp + t["all"].fn == 0
