# Pathway. `make run` serves the demo; `make test` is what every contributor and CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
export TEST_DATABASE_URL

.PHONY: run test lint bench worker install

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Pathway needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

# Migrate, load the demo, then the web server, the task worker and the periodic jobs together
# (backend/launcher.py); Ctrl-C stops all three.
run: install
	@$(BIN)/python -m backend.syscheck
	@mkdir -p var
	PORT=$(PORT) $(BIN)/python -m backend.launcher

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# ruff, then the whole suite on SQLite, then again on PostgreSQL (skipped with one line when it
# does not answer, unless REQUIRE_POSTGRES=1); two test processes, one per core.
PYTEST_WORKERS ?= 2
test: lint
	@mkdir -p var
	$(BIN)/pytest -n $(PYTEST_WORKERS)
	$(BIN)/python -m tests.postgres_pass -n $(PYTEST_WORKERS)

bench: install
	@$(BIN)/python -m benchmarks $(BENCH)

worker: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py periodic --every 60 & trap 'kill $$!' EXIT; $(BIN)/python manage.py db_worker
