# Two commands on a fresh Debian/Ubuntu machine:
#   make run   - set everything up, build a demo station home, show its library
#   make test  - set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup system-deps bench pot clean

setup: system-deps $(STAMP)

system-deps:
	@scripts/ensure-system-deps

$(STAMP): pyproject.toml setup.py radio/locale/vi/LC_MESSAGES/radio.po
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Two workers (pytest-xdist); the tests marked xdist_group("realtime") all run on one of them,
# one after another (README: "Tests"). TEST_WORKERS=0 runs everything in this process;
# PYTEST_ARGS adds options (e.g. PYTEST_ARGS="--durations=30").
TEST_WORKERS ?= 2

test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

run: setup
	@scripts/demo

bench: setup
	$(BIN)/python bench/import_bench.py

# Re-extract the message template after changing user-facing strings.
pot: setup
	$(BIN)/pybabel extract -q -F babel.cfg -k N_ -k ngettext:1,2 -o radio/locale/radio.pot radio
	$(BIN)/pybabel update -q -i radio/locale/radio.pot -d radio/locale -D radio --no-fuzzy-matching

clean:
	rm -rf $(VENV) demo-home build *.egg-info
