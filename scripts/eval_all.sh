#!/usr/bin/env bash
# Every figure of the model card, from a real-dev style folder:
#   scripts/eval_all.sh /path/to/real-dev [out-dir]
# Scenes (detect + read), plate crops (reader only), the reader alone at the
# labelled boxes, the same scenes darkened/blurred/glared/occluded, and speed;
# then the seven sets and speed again with the int8 pair (for slower CPUs). Each set's
# table and errors file (<set>.json, <set>_errors.jsonl) go to OUT_DIR, so two runs
# compare with scripts/compare_evals.py.
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=${1:?usage: scripts/eval_all.sh REAL_DEV_DIR [OUT_DIR]}
OUT=${2:-out/eval}
LPR=".venv/bin/python -m lpr.cli"
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
SCENES="$DEV/openalpr_benchmarks_endtoend/labels.jsonl"
CROPS="$DEV/openalpr_benchmarks_plate_crops/labels.jsonl"
INT8=(--detector models/plate_detector_int8.onnx --reader models/plate_recognizer_int8.onnx)

seven_sets() {  # seven_sets DIR [model args]: the seven scored sets, tables to DIR
  local dir=$1
  shift
  mkdir -p "$dir"
  echo "== scenes: detect + read"
  $LPR eval "$SCENES" --json "$dir/scenes.json" --errors "$dir/scenes_errors.jsonl" "$@" 2>/dev/null
  echo "== scenes: read at the labelled boxes (reader alone)"
  $LPR eval "$SCENES" --oracle-boxes --json "$dir/scenes_oracle.json" \
    --errors "$dir/scenes_oracle_errors.jsonl" "$@" 2>/dev/null
  echo "== plate crops (suspect labels left out)"
  $LPR eval "$CROPS" --json "$dir/crops.json" --errors "$dir/crops_errors.jsonl" "$@" 2>/dev/null
  for kind in dark blur glare occlusion; do
    [ -f "$OUT/robust/$kind/labels.jsonl" ] || $LPR degrade "$SCENES" --out "$OUT/robust" --kinds "$kind" >/dev/null 2>&1
    echo "== scenes, $kind"
    $LPR eval "$OUT/robust/$kind/labels.jsonl" --json "$dir/scenes_$kind.json" \
      --errors "$dir/scenes_${kind}_errors.jsonl" "$@" 2>/dev/null
  done
  echo "== exact reads summed over the seven sets above"
  .venv/bin/python scripts/sum_exact.py "$dir"
}

speed() {  # speed [model args]: decode + detect + read, 1 and 2 threads
  echo "== speed: decode + detect + read, all photos and per frame size (the target: 1280x720)"
  $LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 1 "$@"
  $LPR bench "$DEV/openalpr_benchmarks_endtoend/us" --threads 2 "$@"
}

echo "#### the default (float) models"
seven_sets "$OUT"
speed
echo "#### the int8 pair (for slower CPUs)"
seven_sets "$OUT/int8" "${INT8[@]}"
speed "${INT8[@]}"
