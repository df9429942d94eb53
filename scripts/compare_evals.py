"""Two `scripts/eval_all.sh` output folders compared: does the candidate read more plates?

    python scripts/compare_evals.py BASE_DIR CANDIDATE_DIR [--list]

Per set, the exact reads of each and, from the `<set>_errors.jsonl` files, the plates
the candidate reads that the base misreads or misses (fixed) and the other way round
(broken); `--list` names them. A candidate that reads 3 more plates by fixing 12 and
breaking 9 is within what another seed of the same fine-tune moves (models/HISTORY.md,
sessions 35-36), so a two-sided sign test over all sets says how likely such a split
is between two equally good readers. Last, the targets of the scenes (per region) and
the plate crops each meets, and any the candidate loses.
"""

import argparse
import json
import sys
from math import comb
from pathlib import Path

from sum_exact import SETS, exact_count

REGIONS = ("br", "eu", "us")
# (table, region, field, at least): the accuracy targets of real-dev (issue 2).
SCENE_TARGETS = (("precision", 0.90), ("recall", 0.95), ("exact", 0.90))
TARGETS = [
    *(("scenes", r, field, least) for r in REGIONS for field, least in SCENE_TARGETS),
    ("crops", "all", "exact", 0.90),
]


def wrong(path: Path) -> dict | None:
    """The labelled plates a set's errors file says were misread or missed: {(image,
    text): what was read}; None if there is no such file."""
    if not path.is_file():
        return None
    out = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row.get("truth"):
            out[(row["image"], row["truth"])] = row.get("read") or ""
    return out


def sign_test(fixed: int, broken: int) -> float:
    """Two-sided p of a split at least this uneven between two equally good readers."""
    n = fixed + broken
    if n == 0:
        return 1.0
    tail = sum(comb(n, k) for k in range(min(fixed, broken) + 1)) / 2**n
    return min(1.0, 2 * tail)


def targets_met(tables: dict) -> dict:
    return {
        f"{table} {region} {field}": tables[table][region][field] >= least
        for table, region, field, least in TARGETS
        if table in tables and region in tables[table]
    }


def compare_sets(base: Path, cand: Path, tables: dict, list_plates: bool) -> None:
    """Per set and over all: exact reads of each, plates fixed and broken, a sign test."""
    print(f"{'set':18s} {'base':>5s} {'cand':>5s} {'fixed':>6s} {'broken':>6s}")
    totals = [0, 0, 0, 0]  # exact reads of each, plates mended, plates broken
    for name in SETS:
        counts = [exact_count(tables[d][name]["all"]) for d in (base, cand)]
        totals[0], totals[1] = totals[0] + counts[0], totals[1] + counts[1]
        before, after = (wrong(d / f"{name}_errors.jsonl") for d in (base, cand))
        if before is None or after is None:
            print(f"{name:18s} {counts[0]:5d} {counts[1]:5d}   (no errors files)")
            continue
        fixed, broken = sorted(before.keys() - after.keys()), sorted(after.keys() - before.keys())
        totals[2], totals[3] = totals[2] + len(fixed), totals[3] + len(broken)
        print(f"{name:18s} {counts[0]:5d} {counts[1]:5d} {len(fixed):6d} {len(broken):6d}")
        if list_plates:
            for key in fixed:
                print(f"    fixed  {key[1]:12s} (was {before[key] or 'missed'}) {key[0]}")
            for key in broken:
                print(f"    broken {key[1]:12s} (now {after[key] or 'missed'}) {key[0]}")
    print(f"{'all sets':18s} {totals[0]:5d} {totals[1]:5d} {totals[2]:6d} {totals[3]:6d}")
    p = sign_test(totals[2], totals[3])
    print(f"sign test over the fixed and broken plates: p = {p:.2f} (two-sided)")


def compare_targets(base: dict, cand: dict) -> None:
    """How many targets each meets, and each target one meets and the other does not."""
    before, after = targets_met(base), targets_met(cand)
    print(
        f"targets met: base {sum(before.values())} of {len(before)}, "
        f"candidate {sum(after.values())}"
    )
    for label, was, now in (("lost", before, after), ("gained", after, before)):
        for target in (t for t in was if was[t] and not now.get(t, False)):
            table, region, field = target.split()
            figures = (base[table][region][field], cand[table][region][field])
            print(f"  {label}: {target} {figures[0]:.3f} -> {figures[1]:.3f}")


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("base", type=Path)
    args.add_argument("candidate", type=Path)
    args.add_argument("--list", action="store_true", help="name each fixed and broken plate")
    opts = args.parse_args(argv)
    tables = {}
    for folder in (opts.base, opts.candidate):
        missing = [s for s in SETS if not (folder / f"{s}.json").is_file()]
        if missing:
            print(f"{folder} lacks {', '.join(missing)}: run scripts/eval_all.sh", file=sys.stderr)
            return 1
        tables[folder] = {s: json.loads((folder / f"{s}.json").read_text()) for s in SETS}
    compare_sets(opts.base, opts.candidate, tables, opts.list)
    compare_targets(tables[opts.base], tables[opts.candidate])
    return 0


if __name__ == "__main__":
    sys.exit(main())
