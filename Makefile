# eventsreg: `make run` serves the demo, `make test` runs the tests. Nothing else to install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: install translations vendor run test lint audit db-upgrade seed clean

# Compiled message catalogs, one per language (see translations/ and `make translations`).
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

install: $(STAMP) $(MO_FILES)

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# Compiled catalogs are build products (git-ignored): rebuilt whenever their .po changes, so
# `make test` and `make run` always translate with the current text. Fuzzy entries are left
# out: a guessed translation could carry the wrong placeholders.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel -q compile -l $* -i $< -o $@

# After adding or changing UI text: re-extract the Italian msgids, merge them into each
# language's .po (new ones untranslated or fuzzy), then translate them; tests/test_i18n.py
# names whatever is still missing.
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ \
		--project eventsreg --version 0.1.0 --copyright-holder "eventsreg" \
		-o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --ignore-obsolete
	$(BIN)/pybabel -q compile -d translations

# Designers Italia's UI kit (Bootstrap Italia, the version pinned in assets/package.json):
# rebuild the subset served from static/vendor/bootstrap-italia/ (committed; needs npm).
vendor:
	$(PYTHON) assets/vendor.py

db-upgrade: install
	$(FLASK) db upgrade

seed: db-upgrade
	$(FLASK) demo seed

# Links in emails point at this server unless EVENTSREG_BASE_URL says otherwise. New events'
# privacy notices name a sample data controller (example addresses), unless set. Served by
# gunicorn, as in production (gunicorn.conf.py): Werkzeug's development server skips the
# email delivery after a response when the browser resets the connection.
run: seed
	EVENTSREG_BASE_URL=$${EVENTSREG_BASE_URL:-http://127.0.0.1:$(PORT)} \
	EVENTSREG_DATA_CONTROLLER_NAME="$${EVENTSREG_DATA_CONTROLLER_NAME:-Consorzio.IT (esempio)}" \
	EVENTSREG_DATA_CONTROLLER_ADDRESS="$${EVENTSREG_DATA_CONTROLLER_ADDRESS:-Via del Commercio 29, 26013 Crema (CR)}" \
	EVENTSREG_DATA_CONTROLLER_CONTACT="$${EVENTSREG_DATA_CONTROLLER_CONTACT:-privacy@consorzio.example.org}" \
	EVENTSREG_DPO_CONTACT="$${EVENTSREG_DPO_CONTACT:-dpo@consorzio.example.org}" \
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - --no-control-socket app:app

# On every core (pytest-xdist; tests marked with one xdist_group share a worker and its
# module fixtures); PYTEST_ADDOPTS adds options (CI: --durations=15).
test: install
	$(BIN)/python -m pytest -n auto --dist loadgroup

# Speed and memory next to bare-stack baselines (a few minutes): a table, and bench/results.md.
bench: install
	$(BIN)/python -m bench

# ruff, then the layers: every import goes downwards (pyproject.toml, [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Known vulnerabilities (PyPI's advisory data) in the pinned requirements, then in everything
# installed in .venv (their dependencies included). --strict: a package that cannot be
# checked fails the audit instead of being skipped.
audit: install
	$(BIN)/pip-audit --strict --no-deps --disable-pip -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip-audit --strict --local

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
