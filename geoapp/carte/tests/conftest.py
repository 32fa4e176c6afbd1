"""A real browser (Debian's Chromium driven by Playwright) against the real server (pytest-django's
`live_server`), with every request that would leave the machine refused and recorded."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test's thread; the fixtures below touch the
# database before and after the browser's work, never concurrently with it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="session")
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
def carte_data(transactional_db):
    """Referentials, communes with contours and acteurs around Paris, committed for the server."""
    from geoapp.api.tests.conftest import acteurs_autour_de_paris, load_everything

    acteurs = acteurs_autour_de_paris(n=600)
    load_everything(acteurs)
    return acteurs
