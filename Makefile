# ABM Academy: the two commands a new user runs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := lms

.PHONY: run test lint bench install migrate content demo e2e clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: set up, migrate the SQLite database, load content and demo data, serve on http://127.0.0.1:5000
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask lms content sync
	$(BIN)/flask lms demo
	$(BIN)/flask lms rollup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## test: the whole suite (SQLite; LMS_TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check lms tests exercises

## bench: performance benchmarks (not part of CI), each reported as a ratio to a floor measured in the same run
bench: $(STAMP)
	$(BIN)/pytest -q -s tests/benchmarks -o addopts="" -p no:cacheprovider

migrate: $(STAMP)
	$(BIN)/flask db upgrade

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
