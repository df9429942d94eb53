"""scripts/compare_evals.py: two eval_all.sh folders, plate by plate."""

import json
import subprocess
import sys

from tests.vision.helpers import ROOT

SCRIPT = ROOT / "scripts" / "compare_evals.py"
SETS = ["scenes", "scenes_oracle", "crops"] + [
    f"scenes_{k}" for k in ("dark", "blur", "glare", "occlusion")
]
PLATES = ["AB123CD", "7FR971", "CWW2245", "149BPB"]


def _write(folder, misread: dict, us_precision: float) -> None:
    """Tables and errors files of the seven sets, each of the 4 PLATES, those in
    `misread` ({plate: read}) wrong; the scene targets met but (maybe) US precision."""
    folder.mkdir()
    exact = 1 - len(misread) / len(PLATES)
    region = {"precision": 0.95, "recall": 1.0, "exact": 0.95, "plates": 4}
    for name in SETS:
        table = {r: dict(region) for r in ("br", "eu", "us")}
        table["us"]["precision"] = us_precision
        table["all"] = {**region, "exact": exact}
        (folder / f"{name}.json").write_text(json.dumps(table))
        rows = [{"image": f"{p}.jpg", "truth": p, "read": r} for p, r in misread.items()]
        rows.append({"image": "x.jpg", "truth": "", "read": "JUNK", "kind": "false_positive"})
        (folder / f"{name}_errors.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _compare(base, cand, *more):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(base), str(cand), *more],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_counts_the_plates_each_reads_that_the_other_does_not(tmp_path):
    _write(tmp_path / "base", {"7FR971": "ZFR971", "149BPB": "T49BPB"}, 0.95)
    _write(tmp_path / "cand", {"CWW2245": "CWN2245"}, 0.95)
    out = _compare(tmp_path / "base", tmp_path / "cand", "--list")
    # per set: 2 of 4 against 3 of 4 exact, 2 fixed and 1 broken; the false positive is no plate
    assert out.splitlines()[1].split() == ["scenes", "2", "3", "2", "1"]
    assert "fixed  7FR971       (was ZFR971)" in out
    assert "broken CWW2245      (now CWN2245)" in out
    total = next(line for line in out.splitlines() if line.startswith("all sets"))
    assert total.split()[2:] == ["14", "21", "14", "7"]
    # 14 of 21 either way: p = 2 * P(X <= 7 | n = 21, 1/2) = 0.19
    assert "p = 0.19" in out
    # the crops read 2 and 3 of 4, under their 0.90; every scene target is met
    assert "targets met: base 9 of 10, candidate 9" in out


def test_names_a_target_the_candidate_loses(tmp_path):
    _write(tmp_path / "base", {}, 0.95)
    _write(tmp_path / "cand", {}, 0.893)
    out = _compare(tmp_path / "base", tmp_path / "cand")
    assert "p = 1.00" in out
    assert "lost: scenes us precision 0.950 -> 0.893" in out


def test_a_folder_without_the_tables_is_a_clear_error(tmp_path):
    _write(tmp_path / "base", {}, 0.95)
    (tmp_path / "cand").mkdir()
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "base"), str(tmp_path / "cand")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "lacks scenes, scenes_oracle" in run.stderr
