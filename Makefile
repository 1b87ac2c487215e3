# Two entry points: `make demo` (the poller on a demo workspace of Excel workbooks, then the
# poller and the dashboard together until Ctrl-C)
# and `make test` (the whole suite). Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_DIR ?= demo
PYTEST_WORKERS ?= 3

.PHONY: demo test lint install clean mypy-baseline

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/satudata demo $(DEMO_DIR)
	$(BIN)/satudata -c $(DEMO_DIR)/satudata.toml run

# mypy: strict on rules/ and service/reconcile/, and no error beyond mypy-baseline.txt anywhere
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy | $(BIN)/mypy-baseline filter --allow-unsynced --hide-stats --no-colors

# after fixing type errors: drop them from the baseline (review the diff: it should only shrink)
mypy-baseline: $(STAMP)
	$(BIN)/mypy | $(BIN)/mypy-baseline sync

# the suite in three processes (pytest-xdist; part of its time waits on LibreOffice, Chromium and the
# database servers, so three keep two cores busy), one test module per worker at a time so each module's
# shared fixtures are built once (DECISIONS.md #150)
# Temporary files (every test's archive, workbooks and LibreOffice profile) go to a fresh folder in
# memory where there is one with room (/dev/shm, at least 2 GB free: a container's default 64 MB is
# not), removed afterwards: each SQLite commit's fsync otherwise waits on the disk, thousands of
# times (DECISIONS.md #150). TEST_TMP=/tmp keeps them on disk.
TEST_TMP ?= $(shell test -w /dev/shm && df -Pk /dev/shm | awk 'NR == 2 && $$4 >= 2097152 {ok = 1} END {exit !ok}' \
	&& echo /dev/shm || echo $${TMPDIR:-/tmp})

test: lint
	@tmp=$$(mktemp -d "$(TEST_TMP)/satudata-test.XXXXXX") && \
	echo "TMPDIR=$$tmp $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder" && \
	TMPDIR=$$tmp $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder; \
	status=$$?; rm -rf "$$tmp"; exit $$status

clean:
	rm -rf $(VENV) $(DEMO_DIR) *.egg-info
