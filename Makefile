# Two entry points, each working on a fresh machine (Python 3.11, Java 17, Maven):
#   make demo   set up .venv and run `mlprov demo` (managed Neo4j, corpus, load, graphlets, ...)
#   make test   set up .venv, lint, type-check and run the test suite against a real Neo4j
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test lint typecheck docs pytest bench

demo: install
	$(BIN)/mlprov demo

test: install-test lint typecheck docs pytest

$(BIN)/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The editable install maps the folders loader/, features/, graphlets/, app/, cypher/, generator/ under the one
# package `mlprov` (pyproject's package-dir), so nothing generic lands in site-packages.
# The demo needs only the package; the tests also need the dev tools, MariaDB (MySQL-source tests) and
# Chromium (browser test), which only `install-test` installs.
install: $(BIN)/pip
	$(BIN)/pip install -q -e .

install-test: $(BIN)/pip
	$(BIN)/pip install -q -e '.[dev]'
	bash scripts/ensure-mariadb
	bash scripts/ensure-browser

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow the editable install's import hook: give it the same package as a link tree.
typecheck:
	rm -rf build/typecheck && mkdir -p build/typecheck/mlprov
	cp -rs "$(CURDIR)/core/." build/typecheck/mlprov/
	for d in loader features graphlets app cypher generator analysis; do ln -s "$(CURDIR)/$$d" build/typecheck/mlprov/$$d; done
	cd build/typecheck && "$(CURDIR)/$(BIN)/mypy" --config-file "$(CURDIR)/pyproject.toml" -p mlprov

# The documentation site, with every warning an error (broken links, pages missing from the nav).
docs:
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# pytest exits 5 when it collects nothing: that is a failure here, never a silent pass.
# Two workers (pytest-xdist), each with its own managed Neo4j; a test file runs whole in one worker, so
# its module fixtures are built once. PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 2
pytest:
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=20; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

bench: install-test
	$(BIN)/python -m tests.bench
