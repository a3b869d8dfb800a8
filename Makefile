# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP  := $(VENV)/.installed-$(HASH)
TESTS  := $(VENV)/.installed-test-$(HASH)

.PHONY: demo test bench lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	rm -f $(VENV)/.installed-[0-9]*
	touch $(STAMP)

$(TESTS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP) $(TESTS)

# The main job: the worked example end to end (participants, forms, a simulated
# cohort, results) in ./assess-demo, on SQLite unless --db or ASSESS_DATABASE_URL says otherwise;
# then the HR worked example (three events, a roster, ratings, a calibration) and its report in
# ./assess-demo-hr.
demo: $(STAMP)
	$(BIN)/assess bank validate question_banks/
	$(BIN)/assess demo --out assess-demo
	$(BIN)/assess hr init --example payakumbuh-hr assess-demo-hr
	$(BIN)/assess -w assess-demo-hr hr report

test: lint
	$(BIN)/python -m pytest

bench: $(TESTS)
	$(BIN)/python benchmarks/run.py

# ruff's checks (C90: no function more complex than 15) and its formatting, on all the code.
lint: $(TESTS)
	$(BIN)/ruff check assess tests benchmarks
	$(BIN)/ruff format --check assess tests benchmarks

# After changing a user-facing message: extract, merge into both catalogues,
# then translate the new entries in assess/i18n/locale/id/LC_MESSAGES/assess.po and run it again.
messages: $(TESTS)
	$(BIN)/python -m assess.i18n.catalog update

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
