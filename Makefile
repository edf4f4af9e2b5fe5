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

# npm packages the tests use as third-party references (the secretlint rule set as a redaction
# oracle, reference MCP servers behind wrap), pinned by each folder's package-lock.json
NODE_DEPS := tests/oracles/node_modules/.ci-installed tests/mcp_servers/node_modules/.ci-installed

%/node_modules/.ci-installed: %/package-lock.json %/package.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the whole test suite; the tests start the Kafka-protocol broker they need
test: $(VENV)/.installed $(NODE_DEPS)
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed
	$(PY) benchmarks/emitter.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		tests/oracles/node_modules tests/mcp_servers/node_modules
