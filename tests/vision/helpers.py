"""What the vision tests share: the repository's paths and the `lpr` command run as a user would."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "frames"


def lpr(*args: str) -> subprocess.CompletedProcess:
    """`lpr ARGS` in a subprocess at the repository's root, one thread, a bare environment."""
    return subprocess.run(
        [sys.executable, "-m", "lpr.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
