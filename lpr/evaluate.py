"""Score predictions against labels: detection P/R at IoU 0.5, exact and character accuracy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lpr.labels import LabelledImage

IOU_THRESHOLD = 0.5


def _area(box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _intersection(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy


def iou(a, b) -> float:
    inter = _intersection(a, b)
    union = _area(a) + _area(b) - inter
    return inter / union if union > 0 else 0.0


def share_inside(a, b) -> float:
    """The share of box `a`'s area that lies inside box `b`."""
    area = _area(a)
    return _intersection(a, b) / area if area > 0 else 0.0


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@dataclass
class Tally:
    images: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    ocr_total: int = 0  # labelled plates scored for reading (suspect ones left out)
    exact: int = 0
    char_score: float = 0.0  # sum of 1 - normalised edit distance
    confidence: float = 0.0
    errors: list = field(default_factory=list)

    def row(self) -> dict:
        det = self.tp + self.fp + self.fn > 0
        return {
            "images": self.images,
            "precision": self.tp / (self.tp + self.fp) if det and self.tp + self.fp else None,
            "recall": self.tp / (self.tp + self.fn) if det and self.tp + self.fn else None,
            "exact": self.exact / self.ocr_total if self.ocr_total else None,
            "char_acc": self.char_score / self.ocr_total if self.ocr_total else None,
            "mean_conf": self.confidence / self.ocr_total if self.ocr_total else None,
            "plates": self.ocr_total,
        }


def match(truth: list, predicted: list) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of boxes by IoU >= 0.5, best pairs first."""
    pairs = sorted(
        (
            (iou(t.box, p["box"]), i, j)
            for i, t in enumerate(truth)
            for j, p in enumerate(predicted)
        ),
        reverse=True,
    )
    used_t, used_p, out = set(), set(), []
    for score, i, j in pairs:
        if score < IOU_THRESHOLD:
            break
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
            out.append((i, j))
    return out


def score(items: list[LabelledImage], predictions: dict[str, list[dict]]) -> dict[str, Tally]:
    """Tallies per region plus "all". `predictions` maps image (as labelled) to plates."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        predicted = predictions.get(item.image, [])
        for key in (item.region, "all"):
            _add(tallies[key], item, predicted)
    return dict(tallies)


def _add(t: Tally, item: LabelledImage, predicted: list[dict]) -> None:
    t.images += 1
    crop = item.kind == "plate_crop"
    pairs = (
        dict(match(item.plates, predicted))
        if not crop
        else {i: 0 for i in range(min(1, len(predicted)))}
    )
    if not crop:
        t.tp += len(pairs)
        t.fn += len(item.plates) - len(pairs)
        t.fp += len(predicted) - len(pairs)
        matched = set(pairs.values())
        t.errors.extend(
            {
                "image": item.image,
                "truth": "",
                "read": p["text"],
                "kind": "false_positive",
                "box": [round(float(v), 1) for v in p["box"]],
                "confidence": p["confidence"],
            }
            for j, p in enumerate(predicted)
            if j not in matched
        )
    for i, truth in enumerate(item.plates):
        if truth.suspect:
            continue
        t.ocr_total += 1
        pred = predicted[pairs[i]] if i in pairs else None
        text = pred["text"] if pred else ""
        t.exact += text == truth.text
        t.char_score += 1 - edit_distance(text, truth.text) / max(len(truth.text), len(text), 1)
        t.confidence += pred["confidence"] if pred else 0.0
        if text != truth.text:
            t.errors.append(
                {
                    "image": item.image,
                    "truth": truth.text,
                    "read": text,
                    "kind": "missed" if pred is None else "misread",
                }
            )


def format_table(tallies: dict[str, Tally]) -> str:
    cols = ["images", "precision", "recall", "exact", "char_acc", "mean_conf", "plates"]
    lines = [f"{'region':<8}" + "".join(f"{c:>10}" for c in cols)]
    for region in sorted(tallies, key=lambda r: (r == "all", r)):
        row = tallies[region].row()
        cells = [
            f"{row[c]:>10.3f}"
            if isinstance(row[c], float)
            else f"{'-' if row[c] is None else row[c]:>10}"
            for c in cols
        ]
        lines.append(f"{region:<8}" + "".join(cells))
    return "\n".join(lines)
