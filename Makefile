# Each target sets itself up: a fresh clone needs only Python 3.10+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Test workers: 2 by default (CI's machines); `make test JOBS=auto` uses every core.
JOBS   ?= 2

.PHONY: report test bench lint clean

report: $(STAMP)
	$(BIN)/gradproof report --out reports --jobs 2

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_programs.py
	$(BIN)/python benchmarks/bench_jvp.py
	$(BIN)/python benchmarks/bench_extend.py

lint: $(STAMP)
	$(BIN)/ruff check derive numeric verify tests benchmarks

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) reports/*.html reports/ops reports/static reports/report.json .gradproof-cache
