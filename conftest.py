"""Shared fixtures: the test warehouse (a real PostGIS database, `test_` + WAREHOUSE_DATABASE_URL's
name, rebuilt from the SQL migrations once per session), a real Prefect API (Prefect's test
harness: a temporary server on SQLite), the referentials, and one real browser per test module."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

REPO = Path(__file__).resolve().parent
os.environ.setdefault("PREFECT_HOME", str(REPO / ".prefect"))
if os.environ.get("PYTEST_XDIST_WORKER"):  # one Prefect home per pytest-xdist worker (its results, its storage)
    os.environ["PREFECT_HOME"] = str(Path(os.environ["PREFECT_HOME"]) / os.environ["PYTEST_XDIST_WORKER"])
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # Prefect makes only the last level
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

WAREHOUSE_SCHEMAS = ["raw", "staging", "reference", "displayed", "webapp", "archive", "meta"]

# --- a real browser (Debian's Chromium driven by Playwright) against the real server (pytest-django's
# `live_server`), with every request that would leave the machine refused and recorded. One per
# test module, for every app's tests: two sync_playwright() in one thread refuse to start, and while
# one is open its event loop runs in the thread, where Prefect's sync calls of later tests would see it.
# Playwright's sync API runs an event loop in the test's thread; the fixtures below touch the
# database before and after the browser's work, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def outside_requests():
    return []


@pytest.fixture
def new_context(browser, outside_requests):
    contexts = []

    def make(**kwargs):
        context = browser.new_context(locale="fr-FR", **kwargs)

        def guard(route):
            if urlsplit(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith("data:"):
                route.continue_()
            else:
                outside_requests.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        contexts.append(context)
        return context

    yield make
    for c in contexts:
        c.close()
    assert outside_requests == [], f"requests left the machine: {outside_requests}"


@pytest.fixture
def site_partenaire():
    """A partner's page on another origin (`.html`, `.url`): where the map and the assistant are embedded."""
    from doublures.site_partenaire import SitePartenaire

    with SitePartenaire() as site:
        yield site


@pytest.fixture(scope="session")
def warehouse():
    """A clean, migrated test warehouse. Returns its conninfo."""
    from flows.warehouse.migrate import warehouse_migrate
    from geoapp.common.databases import warehouse_conninfo

    info = {k: v for k, v in warehouse_conninfo().items() if v is not None}
    assert info["dbname"].startswith("test_"), "tests never touch a non-test warehouse"
    admin = {**info, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [info["dbname"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(info["dbname"])))
    with psycopg.connect(**info, autocommit=True) as conn:
        for schema in WAREHOUSE_SCHEMAS:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    warehouse_migrate()
    return info


@pytest.fixture(scope="session")
def prefect_api():
    """A real Prefect API for the session's flow runs."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def referentiels(transactional_db):
    from geoapp.acteurs.services import referentiel_load

    referentiel_load(reference_dir=Path(settings.DATA_DIR) / "reference")
