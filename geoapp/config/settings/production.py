"""Production: everything secret or host-specific must come from the environment."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, env

DEBUG = False
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Logs as JSON lines (python-json-logger), what collectors read; LOG_FORMAT=texte for plain lines.
if env("LOG_FORMAT", default="json") == "json":
    from geoapp.exploitation.observabilite import journalisation_json

    LOGGING = journalisation_json(niveau=env("LOG_LEVEL", default="INFO"))
    import logging

    logging.captureWarnings(True)  # Python's warnings too, as JSON lines (logger `py.warnings`)

# /sante/ and /metrics answer over plain HTTP too: load balancers and Prometheus call the app
# directly, not through the TLS front (when HTTPS redirection is on).
SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^metrics$"]
