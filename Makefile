# The few commands people type. See README.md.
PY := .venv/bin/python
export OMP_NUM_THREADS ?= 1

.PHONY: setup test test-fast lint up run-local bench eval

setup:  ## virtualenv with everything, font packages for the generator
	bash scripts/setup.sh

test:  ## every test: unit, integration (RabbitMQ + Postgres), end to end, faults
	$(PY) -m pytest -q

test-fast:  ## tests that need no broker or database
	$(PY) -m pytest -q -m "not integration and not e2e and not faults"

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

up:  ## the whole system in containers
	docker compose up --build

run-local:  ## the five services as local processes against local RabbitMQ/Postgres
	bash scripts/run_local.sh

bench:  ## speed of one photo end to end, 1 and 2 threads
	$(PY) -m lpr.cli bench $(IMAGES) --threads 1
	$(PY) -m lpr.cli bench $(IMAGES) --threads 2
