#!/usr/bin/env bash
# Every figure of the model card, from a real-dev style folder:
#   scripts/eval_all.sh /path/to/real-dev [out-dir]
# Scenes (detector + reader), plate crops (reader only), the reader alone at
# the labelled boxes, the same scenes darkened/blurred/glared/occluded, and speed.
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=${1:?usage: scripts/eval_all.sh REAL_DEV_DIR [OUT_DIR]}
OUT=${2:-out/eval}
LPR=".venv/bin/python -m lpr.cli"
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
SCENES="$DEV/openalpr_benchmarks_endtoend/labels.jsonl"
CROPS="$DEV/openalpr_benchmarks_plate_crops/labels.jsonl"

echo "== scenes: detect + read"
$LPR eval "$SCENES" --json "$OUT/scenes.json" --errors "$OUT/scenes_errors.jsonl" 2>/dev/null
echo "== scenes: read at the labelled boxes (reader alone)"
$LPR eval "$SCENES" --oracle-boxes --json "$OUT/scenes_oracle.json" 2>/dev/null
echo "== plate crops (suspect labels left out)"
$LPR eval "$CROPS" --json "$OUT/crops.json" --errors "$OUT/crops_errors.jsonl" 2>/dev/null
for kind in dark blur glare occlusion; do
  [ -f "$OUT/robust/$kind/labels.jsonl" ] || $LPR degrade "$SCENES" --out "$OUT/robust" --kinds "$kind" >/dev/null 2>&1
  echo "== scenes, $kind"
  $LPR eval "$OUT/robust/$kind/labels.jsonl" --json "$OUT/scenes_$kind.json" 2>/dev/null
done
echo "== exact reads summed over the seven sets above"
.venv/bin/python scripts/sum_exact.py "$OUT"
echo "== speed: decode + detect + read, all photos and per frame size (the target: 1280x720)"
$LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 1
$LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 2
echo "== speed, the int8 pair (for slower CPUs)"
INT8="--detector models/plate_detector_int8.onnx --reader models/plate_recognizer_int8.onnx"
$LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 1 $INT8
$LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 2 $INT8
