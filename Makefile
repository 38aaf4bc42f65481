# ABM Academy: the two commands a new user runs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := lms

.PHONY: run serve test lint bench install migrate content demo e2e clean

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

## serve: the production server: gunicorn sync workers (bench_pages.py's worker-class comparison, 2 cores, four
## runs: the module page at 751-770 req/s against gthread's 650-761 on SQLite, 459-460 against 375-413 on
## PostgreSQL; an earlier machine had favoured gthread), LMS_WORKERS
## processes (default 2 per core) on LMS_BIND (default 127.0.0.1:8000), behind a TLS-terminating proxy that
## buffers requests and responses (a sync worker serves one client at a time)
serve: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn --worker-class sync --workers $${LMS_WORKERS:-$$(( 2 * $$(nproc) ))} \
	  --bind $${LMS_BIND:-127.0.0.1:8000} --max-requests 2000 --max-requests-jitter 200 \
	  --access-logfile - 'lms:create_app()'

## test: the whole suite (SQLite; LMS_TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL), one pytest-xdist
## worker per core (LMS_TEST_WORKERS=1 for one process); on PostgreSQL each worker has a database of its own
test: $(STAMP)
	$(BIN)/pytest -q -n $${LMS_TEST_WORKERS:-auto} --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check lms tests exercises

## bench: performance benchmarks (not part of CI), each reported as a ratio to a floor measured in the same run
bench: $(STAMP)
	$(BIN)/pytest -q -s tests/benchmarks -o addopts="" -p no:cacheprovider

migrate: $(STAMP)
	$(BIN)/flask db upgrade

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
