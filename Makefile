# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv when missing and installs the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test bench lint messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The main job. Until the event pipeline lands, it validates the shipped banks
# and prints their statistics.
demo: $(STAMP)
	$(BIN)/assess bank validate question_banks/
	$(BIN)/assess bank stats question_banks/

test: $(STAMP)
	$(BIN)/ruff check assess tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check assess tests benchmarks
	$(BIN)/ruff format --check assess

# After changing a user-facing message: extract, merge into both catalogues,
# then translate the new entries in assess/locale/id/LC_MESSAGES/assess.po and run it again.
messages: $(STAMP)
	$(BIN)/python -m assess._catalog update

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
