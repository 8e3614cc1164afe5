# Two commands on a fresh clone: `make demo` runs the main job, `make test` the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint mutate install install-test chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python chromium
	$(BIN)/python -m pip install --quiet -e '.[test]'

# The web app's browser tests drive Debian's chromium (Playwright, no downloaded browser).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "warning: no /usr/bin/chromium and no apt-get: the browser tests will not run"; \
	  fi; \
	fi

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

demo: install
	$(BIN)/vakhsh run

# lint and format first (rules in pyproject.toml, [tool.ruff]): either stops before the tests
test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -n 2 tests

# mutation testing of the metrics, the audit and the water and power families ([tool.mutmut]
# in pyproject.toml); slow (hours of CPU for all of them), not part of `make test`.
# MUTANTS: mutant names or a glob, e.g. MUTANTS='vakhsh.math.water.x__add_sinks*' (all if empty);
# MUTATE_CHILDREN: parallel mutmut workers (the machine is shared: 1 or 2)
MUTANTS ?=
MUTATE_CHILDREN ?= 2
mutate: install-test
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	nice -n 15 $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN) $(MUTANTS)
	$(BIN)/mutmut results
	$(BIN)/python bench/mutation_counts.py --functions

clean:
	rm -rf $(VENV) runs build *.egg-info src/*.egg-info mutants
