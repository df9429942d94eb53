#!/usr/bin/env bash
# What a GPU machine lacks to run scripts/train_gpu.sh, packed beside the repo so
# the device tool can carry it (both folders are git-ignored):
#   .whl/    ultralytics and its few wheels the machine's image does not hold
#            (it has torch, torchvision, opencv, onnxruntime, matplotlib, tqdm);
#            polars 1.9 rather than 2.x: 33 MB against 55, and the carry limit is 64 MiB
#   .fonts/  the generator's font files (no Debian font packages there), so data
#            made there is drawn with the same faces as here
#
#   scripts/device_pack.sh            # here, once: needs the package registry
#
# Then one `run` of the device tool, with carry [".whl", ".fonts"], trains both models:
#   python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl &&
#   PYTHONPATH=/tmp/site LPR_FONT_DIRS=$PWD/.fonts YOLO_OFFLINE=1 DEADLINE=500 \
#     scripts/train_gpu.sh runs/gpu; cp runs/gpu/*.log "$OUT"/
# What comes back is at most 8 files of 16 MiB (64 MiB in all), and real-dev, which picks
# the epochs, stays here (75 MB): tar the epochs' weights into $OUT (reader epochs are
# 2 MB; strip the detector's of their optimizer state first, ultralytics' strip_optimizer).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PLATFORM="--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64"
mkdir -p .whl .fonts
# shellcheck disable=SC2086
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    $PLATFORM -d .whl \
    "ultralytics==$("$PY" -c 'from importlib.metadata import version; print(version("ultralytics"))')" \
    ultralytics-thop ultralytics-platform polars==1.9.0
"$PY" - <<'EOF'
import shutil
from pathlib import Path

from training.synth.fonts import ROLES, find_font

paths = {p for names in ROLES.values() for p in map(find_font, names) if p is not None}
for p in paths:
    shutil.copy2(p, Path(".fonts") / p.name)
print(f"{len(paths)} font files in .fonts")
EOF
du -sh .whl .fonts
