"""Pick operating points: P/R/exact over detector score, read confidence and plate length.

lpr eval LABELS --det-conf 0.02 --min-confidence 0 --min-chars 1 --save-predictions preds.jsonl
python scripts/sweep_thresholds.py LABELS preds.jsonl

Prints every region's figures too: the targets hold per region, so the worst one decides.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lpr.evaluate import score  # noqa: E402
from lpr.labels import load_labels  # noqa: E402
from lpr.types import PlateRead, ReadPolicy  # noqa: E402

DET = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4)
READ = (0.0, 0.1, 0.2, 0.3)
CHARS = (1, 3, 4)
MAX_CHARS = 10  # as `lpr scan` (camera timestamps read longer)


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
    regions = sorted({item.region for item in items})
    head = f"{'det':>5} {'read':>5} {'chars':>5} {'prec':>6} {'recall':>6} {'exact':>6}"
    print(head + "".join(f"  {r + ' P/R/exact':>17}" for r in regions))
    for det, read, chars in itertools.product(DET, READ, CHARS):
        policy = ReadPolicy(read, chars, MAX_CHARS)
        kept = {
            k: [
                p
                for p in v
                if p.get("detector_confidence", 1) >= det
                and policy.accepts(PlateRead(p["text"], p["confidence"], []))
            ]
            for k, v in preds.items()
        }
        tallies = score(items, kept)
        row = tallies["all"].row()
        line = f"{det:>5.2f} {read:>5.2f} {chars:>5} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['exact']:>6.3f}"
        for r in regions:
            rr = tallies[r].row()
            line += f"  {rr['precision']:>5.2f}/{rr['recall']:.2f}/{rr['exact']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
