# Everything installs from this repository's own files into .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint bench clean

$(VENV)/.installed: pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -U pip "setuptools>=69" wheel
	$(PIP) install -q --disable-pip-version-check --no-build-isolation \
		-e ".[dev]" --config-settings editable_mode=strict
	touch $@

# the main job: the embedded all-in-one, simulated MCP traffic with attacks, alerts, verify
run: $(VENV)/.installed
	$(VENV)/bin/tooltrail demo

# the whole test suite; the tests start the Kafka-protocol broker they need
test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed
	$(PY) benchmarks/emitter.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
