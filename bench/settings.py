"""The benchmark's web server: production-like (DEBUG off, no throttling) plus the naive endpoints
it compares against (`bench/urls.py`)."""

from geoapp.config.settings.base import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
API_THROTTLE_RATE = None
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
WHITENOISE_USE_FINDERS = True  # the map page works too, without collectstatic
# no rate limit on any endpoint (geoapp.securite.middleware): the benchmark measures the app
ADRESSES_THROTTLE_RATE = TILES_THROTTLE_RATE = PAGES_THROTTLE_RATE = None
