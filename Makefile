# The two commands (see README): `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DATABASE_URL ?= postgis://postgres:postgres@127.0.0.1:5432/circulaire_webapp
export WAREHOUSE_DATABASE_URL ?= postgis://postgres:postgres@127.0.0.1:5432/circulaire_warehouse
export PATH := $(CURDIR)/.tools/uv/bin:$(PATH)
UV := uv run --frozen
# the suite's pytest-xdist workers (each with its own databases, Prefect API and browser)
TEST_WORKERS ?= 2

.PHONY: demo test setup

## make demo: the flows on the bundled data, then the web app on http://127.0.0.1:$(PORT)
demo:
	@bash scripts/setup.sh
	@DJANGO_SETTINGS_MODULE=geoapp.config.settings.dev $(UV) python -m flows.demo

## make test: the whole suite against real PostGIS, a real Prefect API and a real browser
test:
	@bash scripts/setup.sh --browser --test
	@$(UV) pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests ran: failing" >&2; exit 1; fi; exit $$status

setup:
	@bash scripts/setup.sh --browser --test
