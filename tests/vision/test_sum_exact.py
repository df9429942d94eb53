"""scripts/sum_exact.py: the exact reads of eval_all.sh's tables, summed."""

import json
import subprocess
import sys

from tests.vision.helpers import ROOT

SCRIPT = ROOT / "scripts" / "sum_exact.py"
SETS = ["scenes", "scenes_oracle", "crops"] + [
    f"scenes_{k}" for k in ("dark", "blur", "glare", "occlusion")
]


def _table(exact: float, plates: int) -> str:
    return json.dumps({"all": {"exact": exact, "plates": plates, "precision": None}})


def test_sums_the_seven_sets(tmp_path):
    for i, name in enumerate(SETS):
        (tmp_path / f"{name}.json").write_text(_table(0.5 if i else 0.25, 4 * (i + 1)))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    # 0.25 of 4, then half of 8, 12, ..., 28: 1 + 4 + 6 + 8 + 10 + 12 + 14
    assert run.stdout.splitlines()[-1].split() == ["all", "sets", "55", "of", "112"]


def test_a_missing_table_is_a_clear_error(tmp_path):
    (tmp_path / "scenes.json").write_text(_table(1.0, 3))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "scenes_oracle.json is missing" in run.stderr
