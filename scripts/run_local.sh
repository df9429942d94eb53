#!/usr/bin/env bash
# Run the six services as local processes (honcho + Procfile) against the
# local RabbitMQ and Postgres. Creates the `lpr` role and database if missing.
#
#   scripts/run_local.sh                      # reads samples/frames in a loop
#   LPR_CAPTURE_SOURCE=0 scripts/run_local.sh # USB camera 0
#   DETECTORS=2 scripts/run_local.sh          # two detector processes
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGADMIN=${PGADMIN:-postgres}
LPR_DB_PASSWORD=${LPR_DB_PASSWORD:-lpr}

if ! psql -h "$PGHOST" -U "$PGADMIN" -tAc "SELECT 1 FROM pg_roles WHERE rolname='lpr'" | grep -q 1; then
  psql -h "$PGHOST" -U "$PGADMIN" -qc "CREATE ROLE lpr LOGIN PASSWORD '${LPR_DB_PASSWORD}'"
fi
if ! psql -h "$PGHOST" -U "$PGADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname='lpr'" | grep -q 1; then
  # Owned by lpr: in Postgres 15 only the owner may create tables in public.
  psql -h "$PGHOST" -U "$PGADMIN" -qc "CREATE DATABASE lpr OWNER lpr"
fi

export LPR_AMQP_URL=${LPR_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}
export LPR_DATABASE_URL=${LPR_DATABASE_URL:-postgresql+psycopg2://lpr:${LPR_DB_PASSWORD}@${PGHOST}:5432/lpr}
export LPR_CAPTURE_SOURCE=${LPR_CAPTURE_SOURCE:-samples/frames}
export LPR_CAPTURE_LOOP=${LPR_CAPTURE_LOOP:-true}
export LPR_CAPTURE_FPS=${LPR_CAPTURE_FPS:-2}
export LPR_API_PORT=${LPR_API_PORT:-8000}
export OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1

PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
exec "$PY" -m honcho start -f Procfile \
  -m "capture=1,detector=${DETECTORS:-1},recognizer=${RECOGNIZERS:-1},recorder=1,passages=1,api=1"
