# The two commands in README.md: `make test` and `make report`. Each installs into .venv/
# exactly the versions pinned (with hashes) in requirements/*.lock, then the project itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK_OPTIONS := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --generate-hashes \
	--custom-compile-command "make lock" -q

.PHONY: env test report demo validate bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# what a report needs
$(VENV)/.installed-report: requirements/report.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/report.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# and what the tests need besides
$(VENV)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-report

env: $(VENV)/.installed-test

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

report: $(VENV)/.installed-report
	$(BIN)/kompetens run

demo: $(VENV)/.installed-report
	$(BIN)/kompetens demo

validate: $(VENV)/.installed-report
	$(BIN)/kompetens validate data/demo

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

# refresh the lock files from pyproject.toml (needs the network); commit both
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.9'
	$(BIN)/uv pip compile pyproject.toml $(LOCK_OPTIONS) -o requirements/report.lock
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_OPTIONS) -o requirements/test.lock

clean:
	rm -rf $(VENV) outputs/*/ outputs/index.html
