# The few commands people type. See README.md.
PY := .venv/bin/python
export OMP_NUM_THREADS ?= 1
IMAGES ?= samples/frames

.PHONY: setup test test-faults test-fast lint up run-local eval bench bench-passages bench-pipeline

setup:  ## virtualenv with everything, font packages for the generator
	bash scripts/setup.sh

test:  ## every test: unit, integration (RabbitMQ + Postgres), end to end, faults
	$(PY) -m pytest -q

test-faults:  ## the fault-injection suite alone, with its figures
	LPR_FAULT_REPORT=fault-report.jsonl $(PY) -m pytest -m faults tests/faults -s -q

test-fast:  ## tests that need no broker or database
	$(PY) -m pytest -q -m "not integration and not e2e and not faults"

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

up:  ## the whole system in containers
	docker compose up --build

run-local:  ## the five services as local processes against local RabbitMQ/Postgres
	bash scripts/run_local.sh

eval:  ## every model-card figure: make eval DEV=path/to/real-dev
	bash scripts/eval_all.sh $(DEV)

bench:  ## speed of one photo end to end, 1 and 2 threads, then the int8 pair: make bench IMAGES=folder
	$(PY) -m lpr.cli bench $(IMAGES) --threads 1
	$(PY) -m lpr.cli bench $(IMAGES) --threads 2
	$(PY) -m lpr.cli bench $(IMAGES) --threads 1 \
		--detector models/plate_detector_int8.onnx --reader models/plate_recognizer_int8.onnx

bench-passages:  ## one passage per vehicle, voted vs single-frame accuracy
	$(PY) scripts/bench_passages.py --vehicles 40 --frames 6

bench-pipeline:  ## frames/s and capture->stored latency through the running services
	$(PY) scripts/bench_pipeline.py --frames $(IMAGES)
