"""The test suite. Databases are the ones of DATABASE_URL / WAREHOUSE_DATABASE_URL with a `test_`
prefix: pytest-django creates the web app's, tests/conftest.py the warehouse's."""

from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F401,F403
from .base import WAREHOUSE_DATABASE_URL, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _test_database_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("test_"):
        name = f"test_{name}"
    return urlunsplit(parts._replace(path=f"/{name}"))


WAREHOUSE_DATABASE_URL = _test_database_url(env("WAREHOUSE_DATABASE_URL", default=WAREHOUSE_DATABASE_URL))
# Under pytest-xdist each worker has its own databases: pytest-django suffixes the web app's test
# database (and each alias's TEST NAME) with the worker's id; the warehouse's URL takes the same suffix.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
_WAREHOUSE_TEST_NAME = urlsplit(WAREHOUSE_DATABASE_URL).path.lstrip("/")
if XDIST_WORKER and f"_{XDIST_WORKER}" not in _WAREHOUSE_TEST_NAME:  # (a test's subprocess: suffixed already)
    _parts = urlsplit(WAREHOUSE_DATABASE_URL)
    WAREHOUSE_DATABASE_URL = urlunsplit(_parts._replace(path=f"/{_WAREHOUSE_TEST_NAME}_{XDIST_WORKER}"))

# --- geocodage & clones (issue 4) ---
# The read-only `warehouse` alias is the `test_` warehouse the `warehouse` fixture builds; its
# backend neither creates nor drops it (geoapp/geocodage/warehouse_backend).
DATABASES["warehouse"]["NAME"] = urlsplit(WAREHOUSE_DATABASE_URL).path.lstrip("/")  # noqa: F405
DATABASES["warehouse"]["TEST"] = {"NAME": _WAREHOUSE_TEST_NAME}  # noqa: F405  (+ the worker's suffix, by pytest-django)

# --- sécurité (issue 10) ---
# The local Redis, under a key prefix of this test database's own (parallel runs on one machine never
# share a count; the cache's clear() deletes only its prefix). The rate limits are off unless a test
# (or the environment, for the servers a test starts) sets them: the suite sends hundreds of
# requests a minute from 127.0.0.1.
CACHES["default"]["KEY_PREFIX"] = env("REDIS_KEY_PREFIX", default=f"test_{DATABASES['default']['NAME']}{XDIST_WORKER}")  # noqa: F405
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default=None)
ADRESSES_THROTTLE_RATE = env("ADRESSES_THROTTLE_RATE", default=None)
TILES_THROTTLE_RATE = env("TILES_THROTTLE_RATE", default=None)
PAGES_THROTTLE_RATE = env("PAGES_THROTTLE_RATE", default=None)

# --- la carte (issue 12): the background drawn from the bundled contours unless MAP_TILES_URL is set
if "MAP_TILES_URL" not in env.ENVIRON:
    from .base import CONTENT_SECURITY_POLICY, LEAFLET_CONFIG, MAP_TILES_ATTRIBUTIONS, MAP_TILES_CONTOURS, SELF

    MAP_TILES_URL = MAP_TILES_CONTOURS
    MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default=MAP_TILES_ATTRIBUTIONS[MAP_TILES_CONTOURS])
    LEAFLET_CONFIG["TILES"] = []  # the admin's map widgets: the geometry on a blank background
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [SELF, "data:"]
