#!/usr/bin/env bash
# Both models on one GPU machine in one go: fresh synthetic data made on every
# core, then the detector and three readers trained side by side until a
# deadline (the GPU has room for all four; the CPU cores feed them).
#
#   scripts/train_gpu.sh RUNS_DIR
#
# Env: SEED, WORKERS (cores), DET_TRAIN, READ_TRAIN (sample counts),
# DEADLINE (seconds from start by which training must end), DEVICE (cuda or cpu).
# Every epoch's weights are kept: real photos pick the epoch (models/README.md).
# A machine without ultralytics or the Debian fonts: see scripts/device_pack.sh.
set -euo pipefail
RUNS=${1:-runs/gpu}
SEED=${SEED:-11}
WORKERS=${WORKERS:-16}
DET_TRAIN=${DET_TRAIN:-40000}
READ_TRAIN=${READ_TRAIN:-200000}
DEADLINE=${DEADLINE:-520}
DEVICE=${DEVICE:-cuda}
DATA=${DATA:-data-gpu}
LPR="${PYTHON:-python3} -m lpr.cli --log-level INFO"
mkdir -p "$RUNS"

$LPR data reader --out "$DATA" --seed "$SEED" --reader-train "$READ_TRAIN" --reader-val 4000 --workers "$WORKERS"
$LPR data detector --out "$DATA" --seed "$SEED" --detector-train "$DET_TRAIN" --detector-val 1000 --workers "$WORKERS"

left=$((DEADLINE - SECONDS))
minutes=$(python3 -c "print(round(max($left - 40, 60) / 60, 2))")  # 40 s for the last epoch and validation
echo "data ready after ${SECONDS}s; ${minutes} min of training for each model"

det_device=$([ "$DEVICE" = cuda ] && echo 0 || echo cpu)
timeout "$left" $LPR train-detector --data "$DATA/detector/dataset.yaml" --init models/plate_detector.pt \
    --out "$RUNS/det/plate_detector.pt" --run-dir "$RUNS/det/run" --device "$det_device" \
    --batch 128 --workers $((WORKERS / 2)) --epochs 100 --lr0 0.002 \
    --time-hours "$(python3 -c "print($minutes / 60)")" >"$RUNS/det.log" 2>&1 &

reader() {  # name, then train-reader's own flags
    local name=$1
    shift
    timeout "$left" $LPR train-reader --data "$DATA" --out "$RUNS/$name/plate_recognizer.pt" \
        --device "$DEVICE" --batch-size 256 --epochs 100 --patience 100 --threads 2 \
        --max-minutes "$minutes" "$@" >"$RUNS/$name.log" 2>&1 &
}
reader finetune --init models/plate_recognizer.pt --lr 1.5e-3
reader stretch --init models/plate_recognizer.pt --lr 1.5e-3 --stretch 0.2
reader scratch --lr 3e-3

status=0
for job in $(jobs -p); do wait "$job" || status=$?; done
echo "training done after ${SECONDS}s (exit $status)"
exit $status
