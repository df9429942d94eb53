"""Pick operating points: P/R/exact over detector and read-confidence thresholds.

lpr eval LABELS --det-conf 0.05 --save-predictions preds.jsonl
python scripts/sweep_thresholds.py LABELS preds.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpr.evaluate import score  # noqa: E402
from lpr.labels import load_labels  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels")
    parser.add_argument("predictions")
    args = parser.parse_args()
    items = load_labels(args.labels)
    preds = {}
    for line in open(args.predictions, encoding="utf-8"):
        row = json.loads(line)
        preds[row["image"]] = row["plates"]
    print(f"{'det':>5} {'read':>5} {'prec':>6} {'recall':>6} {'exact':>6}")
    for det in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        for read in (0.0, 0.02, 0.05, 0.1, 0.2):
            kept = {
                k: [
                    p
                    for p in v
                    if p.get("detector_confidence", 1) >= det and p["confidence"] >= read
                ]
                for k, v in preds.items()
            }
            row = score(items, kept)["all"].row()
            print(
                f"{det:>5.2f} {read:>5.2f} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['exact']:>6.3f}"
            )


if __name__ == "__main__":
    main()
