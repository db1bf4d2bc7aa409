# paperbroker: `make run` starts the main job, `make test` runs every check.
# Both create the environment first (and build the web dashboard); nothing else
# needs installing by hand but Python and Node.js.

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

.PHONY: run test lint typecheck pytest bench env chromium clean web web-check web-types

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.4"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	$(VENV)/bin/python -m compileall -q src
	@touch $@

# The engine's hot path compiled with mypyc (native/build.py; quick when already current).
env: $(VENV)/.synced
	@$(VENV)/bin/python native/build.py

# The web dashboard (web/): its packages, its build into the package (served at /),
# its checks, and its TypeScript types of the API, generated from the OpenAPI document.
DASHBOARD := src/paperbroker/dashboard/index.html
ifneq ($(wildcard web/package.json),)
WEB_MODULES := web/node_modules/.package-lock.json
# Every file and directory of the sources (a directory changes when a file is added or
# removed), and the files that configure the build.
WEB_SOURCES := $(shell find web/src $(wildcard web/public) 2>/dev/null) \
	$(wildcard web/index.html web/package-lock.json web/vite.config.ts web/tsconfig*.json)

$(WEB_MODULES): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(DASHBOARD): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run build
	@touch $@

web: $(DASHBOARD)

web-types: env $(WEB_MODULES)
	$(RUN) paperbroker openapi --output web/build/openapi.json
	cd web && npm run gen:api

web-check: env $(WEB_MODULES)
	cd web && npm run lint && npm run typecheck && npm test
	$(RUN) paperbroker openapi --output web/build/openapi.json
	@cd web && npm run --silent gen:api -- --check || { \
		echo "web/src/api/schema.d.ts is out of date with the server's OpenAPI document: run make web-types" >&2; \
		exit 1; }
else
web web-check web-types:
	@echo "no web/package.json: no dashboard to build or check"
endif

run: env web
	$(RUN) paperbroker serve

lint: env
	$(RUN) ruff check src tests bench examples native
	$(RUN) ruff format --check src tests bench examples native

typecheck: env
	$(RUN) mypy
	$(RUN) mypy examples native

# worksteal: a worker that runs out of tests takes some of the other's, so the few long ones
# (the OpenAPI fuzzing, the kill -9 rounds) do not leave a core idle at the end.
pytest: env web
	$(RUN) pytest -n 2 --dist worksteal -q

test: lint typecheck web-check pytest

bench: env web
	$(RUN) python -m bench
	$(RUN) python -m bench.session_advance
	$(RUN) python -m bench.submit_latency
	$(RUN) python -m bench.execution
	$(RUN) python -m bench.risk
	$(RUN) python -m bench.startup
	$(RUN) python -m bench.restart
	$(RUN) python -m bench.restart --strategy buy_and_hold
	$(RUN) python -m bench.dashboard
	$(RUN) python -m bench.sweep

# The browser tests (tests/e2e) drive the system's Chromium; Playwright never downloads one.
# Without it they are skipped locally (and fail under CI=true): this installs it (as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache build
	find src -name '*.so' -delete
	rm -f src/paperbroker/_native.json
	rm -rf web/node_modules web/build src/paperbroker/dashboard
