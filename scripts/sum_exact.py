"""Exact reads summed over the sets `scripts/eval_all.sh` scores, from its JSON tables.

A change to the models or the read rules often moves a few plates each way across
the sets; their sum is the one figure that says whether it read more plates in all
(models/HISTORY.md, session 15). Usage: python scripts/sum_exact.py OUT_DIR
"""

import json
import sys
from pathlib import Path

SETS = [
    "scenes",
    "scenes_oracle",
    "crops",
    "scenes_dark",
    "scenes_blur",
    "scenes_glare",
    "scenes_occlusion",
]


def exact_count(row: dict) -> int:
    """Plates read exactly, from a table row's share and count."""
    return round(row["exact"] * row["plates"])


def main(out: Path) -> int:
    total = plates = 0
    for name in SETS:
        path = out / f"{name}.json"
        if not path.is_file():
            print(f"{path} is missing: run scripts/eval_all.sh first", file=sys.stderr)
            return 1
        row = json.loads(path.read_text())["all"]
        exact = exact_count(row)
        print(f"  {name:18s} {exact:5d} of {row['plates']}")
        total, plates = total + exact, plates + row["plates"]
    print(f"  {'all sets':18s} {total:5d} of {plates}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/eval")))
