# paperbroker: `make run` starts the main job, `make test` runs every check.
# Both create the environment first; nothing else needs installing by hand.

PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
# Install with bytecode (.pyc), paperbroker's own too: where Python may not write it
# (PYTHONDONTWRITEBYTECODE, as container images set; a read-only tree), each start would
# compile every module it imports again, a second of CPU at every server start.
export UV_COMPILE_BYTECODE := 1
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
RUN := $(UV) run --frozen --no-sync

.PHONY: run test lint typecheck pytest bench env chromium clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.4"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	$(VENV)/bin/python -m compileall -q src
	@touch $@

env: $(VENV)/.synced

run: env
	$(RUN) paperbroker serve

lint: env
	$(RUN) ruff check src tests bench examples
	$(RUN) ruff format --check src tests bench examples

typecheck: env
	$(RUN) mypy
	$(RUN) mypy examples

pytest: env
	$(RUN) pytest -n 2 -q

test: lint typecheck pytest

bench: env
	$(RUN) python -m bench
	$(RUN) python -m bench.session_advance
	$(RUN) python -m bench.submit_latency
	$(RUN) python -m bench.execution
	$(RUN) python -m bench.startup

# The browser tests (tests/e2e) drive the system's Chromium; Playwright never downloads one.
# Without it they are skipped locally (and fail under CI=true): this installs it (as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
