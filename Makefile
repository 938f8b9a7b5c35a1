# eventsreg: `make run` serves the demo, `make test` runs the tests. Nothing else to install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: install run test lint db-upgrade seed clean

install: $(STAMP)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

db-upgrade: install
	$(FLASK) db upgrade

seed: db-upgrade
	$(FLASK) demo seed

# Links in emails point at this server unless EVENTSREG_BASE_URL says otherwise.
run: seed
	EVENTSREG_BASE_URL=$${EVENTSREG_BASE_URL:-http://127.0.0.1:$(PORT)} $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
