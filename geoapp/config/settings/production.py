"""Production: everything secret or host-specific must come from the environment.
`manage.py check --deploy` reports nothing with these settings (geoapp/securite/tests/test_production.py)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, TRUSTED_PROXY_COUNT, env

DEBUG = False
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- sécurité (issue 10): secrets and HTTPS ---
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-") \
        or SECRET_KEY == "insecure-local-key-change-me":
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a secret of at least 50 random characters in production, e.g. "
        "python -c \"import secrets; print(secrets.token_urlsafe(50))\"")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names in production (comma-separated)")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# cookies over HTTPS only; HTTP redirected to HTTPS; browsers told to stay on HTTPS (HSTS)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# Only behind our own reverse proxy (TRUSTED_PROXY_COUNT > 0), which terminates TLS and sets
# X-Forwarded-Proto: without one, a client could claim HTTPS with that header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None

# Logs as JSON lines (python-json-logger), what collectors read; LOG_FORMAT=texte for plain lines.
if env("LOG_FORMAT", default="json") == "json":
    from geoapp.exploitation.observabilite import journalisation_json

    LOGGING = journalisation_json(niveau=env("LOG_LEVEL", default="INFO"))
    import logging

    logging.captureWarnings(True)  # Python's warnings too, as JSON lines (logger `py.warnings`)

# /sante/ and /metrics answer over plain HTTP too: load balancers and Prometheus call the app
# directly, not through the TLS front (when HTTPS redirection is on).
SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^metrics$"]
